import { Command, CommanderError } from 'commander';
import { ConfigError } from '../common/config.ts';
import { VERSION } from '../common/version.ts';
import { agentCommand } from './agent-command.ts';
import { inventoryCommand } from './inventory-command.ts';

/** Exit codes: 2 for unusable configuration or flags (the message names file, key and expectation). */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('tierwise')
    .description('Monitoring and cost/placement advice for mixed-tier homelabs')
    .version(VERSION)
    .exitOverride()
    .addCommand(agentCommand())
    .addCommand(inventoryCommand());
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    if (err instanceof ConfigError) {
      process.stderr.write(`tierwise: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`tierwise: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
