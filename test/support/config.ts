import { ConfigError, parseConfig } from '../../common/config.ts';

/** The ConfigError a tierwise.yml text raises, or undefined when it parses. */
export function configErrorOf(text: string, file = 'tierwise.yml'): ConfigError | undefined {
  try {
    parseConfig(text, file);
    return undefined;
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
}
