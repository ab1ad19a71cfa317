import { Command, CommanderError } from 'commander';
import { ConfigError } from '../common/config.ts';
import { VERSION } from '../common/version.ts';
import { adviseCommand } from './advise-command.ts';
import { agentCommand } from './agent-command.ts';
import { calibrateCommand } from './calibrate-command.ts';
import { collectorCommand } from './collector-command.ts';
import { inventoryCommand } from './inventory-command.ts';
import { probeCommand } from './probe-command.ts';
import { reportCommand } from './report-command.ts';
import { stackCommand } from './stack-command.ts';
import { UsageError } from './usage-error.ts';

/** Exit codes: 2 for unusable configuration or flags (the message names file, key and expectation). */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('tierwise')
    .description('Monitoring and cost/placement advice for mixed-tier homelabs')
    .version(VERSION)
    .exitOverride()
    .addCommand(agentCommand())
    .addCommand(inventoryCommand())
    .addCommand(calibrateCommand())
    .addCommand(probeCommand())
    .addCommand(stackCommand())
    .addCommand(adviseCommand())
    .addCommand(reportCommand())
    .addCommand(collectorCommand());
  // Subcommands do not inherit exitOverride: without this, a bad flag to one of them exits 1 from inside
  // commander instead of 2 from here.
  const override = (command: Command) => {
    command.exitOverride();
    for (const sub of command.commands) override(sub);
  };
  for (const command of program.commands) override(command);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`tierwise: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`tierwise: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
