import type { Config } from '../config.js';
import type { Clock } from '../types.js';
import type { LogFormat, LogLevel } from '../log.js';

/** Where a command writes; tests pass their own. */
export interface CommandIO {
  /** Standard output (results). */
  out: (s: string) => void;
  /** Standard error (progress, warnings, errors). */
  err: (s: string) => void;
  /** Whether stderr is a terminal (progress bars only there). */
  isTTY: boolean;
  /** Environment variables. */
  env: NodeJS.ProcessEnv;
  /** Working folder. */
  cwd: string;
}

/** Parsed command line of one subcommand: flags and positionals (node:util parseArgs shape). */
export interface ParsedArgs {
  /** Flag values by long name. */
  values: Record<string, string | boolean | string[] | undefined>;
  /** Positional arguments. */
  positionals: string[];
}

/** An option of a subcommand, for parsing and for `--help`. */
export interface OptionSpec {
  /** Long name (without `--`). */
  name: string;
  /** Value type. */
  type: 'string' | 'boolean';
  /** Single-letter alias. */
  short?: string;
  /** May be given several times. */
  multiple?: boolean;
  /** One line for `--help`, including the allowed values and the default. */
  help: string;
  /** Placeholder in `--help` (e.g. `<file>`). */
  arg?: string;
}

/** One subcommand of `psa-reports`. */
export interface Command {
  /** Name typed after `psa-reports`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage line after `psa-reports <name>`. */
  usage: string;
  /** Paragraphs of `--help`: what it does, examples. */
  description: string;
  /** Options besides the global ones. */
  options: OptionSpec[];
  /** Runs the command; returns the exit code. `config` is loaded lazily by `loadConfig()` (once; `fresh` reads the files again). */
  run(args: ParsedArgs, ctx: CommandContext): Promise<number>;
}

/** What every command is given by the entry point. */
export interface CommandContext {
  /** Where it writes. */
  io: CommandIO;
  /** The configuration, loaded on first use (`fresh` reads the files again). */
  loadConfig: (opts?: { fresh?: boolean }) => Config;
  /** The one time base of the process (a fake one in tests). */
  clock: Clock;
  /** Logging asked for on the command line (`--log-format`, `--log-level`); absent format: the command's default. */
  log?: { format?: LogFormat; level: LogLevel };
}
