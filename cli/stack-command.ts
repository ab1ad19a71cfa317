import { Command } from 'commander';
import { loadConfig } from '../common/config.ts';
import { createLogger } from '../common/log.ts';
import { runStack } from '../deploy/stack/stack.ts';

interface StackFlags {
  config?: string;
  dataDir?: string;
  'log.level': string;
}

export function stackCommand(): Command {
  return new Command('stack')
    .description(
      'run the agent, the SSH probe, Prometheus and Alertmanager on this machine until Ctrl-C (docs/stack.md)',
    )
    .option('--config <file>', 'tierwise.yml (the stack: section, probe targets, alerting)')
    .option('--data-dir <dir>', 'where data and generated configs live, over stack.data_dir')
    .option('--log.level <level>', 'debug, info, warn or error', 'info')
    .action(async (flags: StackFlags) => {
      const log = createLogger(flags['log.level']);
      const config = await loadConfig(flags.config);
      // Exit 1 (from main) when a program is missing, a port is taken or a child dies: the machine's
      // state, not the flags or the config, which exit 2.
      await runStack({
        config,
        configFile: flags.config,
        dataDir: flags.dataDir,
        logLevel: flags['log.level'],
        log,
        out: process.stdout,
      });
      process.exit(0);
    });
}
