import { type FSWatcher, watch } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { type AgentConfig, ConfigError, loadConfig, type TierwiseConfig } from '../../common/config.ts';
import type { ProbeConfig, ProbeTarget } from './config.ts';

/**
 * The probe targets of tierwise.yml, reloaded when the file changes or on SIGHUP (or POST /-/reload), as
 * Prometheus does: a file that no longer parses keeps the last good targets, and the failure is shown as
 * tierwise_probe_config_last_reload_successful 0 and logged with the file, key and expectation.
 */
export class TargetRegistry {
  private current: TierwiseConfig;
  private lastReloadOk = true;
  private lastReloadAt = Date.now();
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly listeners: Array<(config: ProbeConfig) => void> = [];

  private constructor(
    private readonly file: string | undefined,
    initial: TierwiseConfig,
    private readonly log: Logger,
  ) {
    this.current = initial;
  }

  /** Loads the file; a bad file at start is a ConfigError (exit 2), not a silent empty target list. */
  static async open(file: string | undefined, log: Logger): Promise<TargetRegistry> {
    return new TargetRegistry(file, await loadConfig(file), log);
  }

  get config(): ProbeConfig {
    return this.current.probe;
  }

  /** The agent section: the probe parses with its filesystem and netdev excludes, reloaded alike. */
  get agent(): AgentConfig {
    return this.current.agent;
  }

  target(name: string): ProbeTarget | undefined {
    return this.current.probe.targets.find((t) => t.name === name);
  }

  status(): { ok: boolean; at: number } {
    return { ok: this.lastReloadOk, at: this.lastReloadAt };
  }

  /** Called with the new config after each successful reload. */
  onReload(listener: (config: ProbeConfig) => void): void {
    this.listeners.push(listener);
  }

  async reload(): Promise<boolean> {
    this.lastReloadAt = Date.now();
    try {
      this.current = await loadConfig(this.file);
      this.lastReloadOk = true;
      this.log.info(
        { file: this.file, targets: this.current.probe.targets.length },
        'probe targets reloaded',
      );
      for (const l of this.listeners) l(this.current.probe);
      return true;
    } catch (err) {
      this.lastReloadOk = false;
      const problems = err instanceof ConfigError ? err.problems : [(err as Error).message];
      this.log.error({ file: this.file, problems }, 'reload failed; keeping the previous targets');
      return false;
    }
  }

  /** Reloads on SIGHUP and when the file changes (editors replace files, so the directory is watched). */
  watch(): void {
    if (!this.file || this.watcher) return;
    const file = this.file;
    const schedule = () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.reload(), 200);
    };
    this.watcher = watch(path.dirname(file), (_event, name) => {
      if (name === path.basename(file)) schedule();
    });
    this.watcher.on('error', (err) =>
      this.log.warn({ file, err: err.message }, 'cannot watch the config file'),
    );
    process.on('SIGHUP', schedule);
  }

  close(): void {
    this.watcher?.close();
    clearTimeout(this.debounce);
  }
}
