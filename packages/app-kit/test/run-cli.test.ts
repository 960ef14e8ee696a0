import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ArgumentError } from '@offramp/core';
import { describe, expect, it } from 'vitest';
import {
  type CliIo,
  type CliOutcome,
  cliCommand,
  CommandLineError,
  type CommonOptionsOf,
  oneOf,
  positiveInt,
  runCli,
} from '../src/index.js';

const appDir = join('/srv', 'apps', 'demo');
const moduleUrl = pathToFileURL(join(appDir, 'dist', 'main.js')).href;

interface DemoOptions {
  readonly epochs: number;
  readonly mode: 'fast' | 'slow';
  readonly seed: number;
  readonly cacheDir: string;
  readonly outDir: string;
  readonly progress: boolean;
  readonly readme: boolean;
}

/** An io that records what a run writes and the exit code it sets. */
function recordingIo(argv: string[]) {
  const written = { out: '', err: '', exitCode: undefined as number | undefined };
  const io: CliIo = {
    argv,
    out: (text) => {
      written.out += text;
    },
    err: (text) => {
      written.err += text;
    },
    setExitCode: (code) => {
      written.exitCode = code;
    },
  };
  return { io, written };
}

/** Runs a demo program with `argv`; `run` gets its parsed options. */
async function runDemo(argv: string[], run: (options: DemoOptions) => Promise<void> = async () => {}) {
  const { io, written } = recordingIo(argv);
  const calls: string[] = [];
  const seen: DemoOptions[] = [];
  const outcome = await runCli<DemoOptions>(
    {
      moduleUrl,
      name: 'demo',
      description: 'A demo app.',
      options: (command) =>
        command
          .option('--epochs <n>', 'training epochs', positiveInt, 8)
          .option('--mode <mode>', 'fast or slow', oneOf(['fast', 'slow'] as const), 'fast'),
      common: {
        seed: { description: 'seed of everything', default: 7 },
        cacheDir: 'where weights are cached',
        outDir: true,
        progress: true,
        readme: true,
      },
      setup: async () => {
        calls.push('setup');
      },
      run: async (options, context) => {
        calls.push('run');
        seen.push(options);
        context.log(`readme: ${context.readme ?? 'none'}`);
        await run(options);
      },
    },
    io,
  );
  return { outcome, written, calls, seen };
}

describe('runCli', () => {
  it('parses the own and common options, with defaults in the app folder, after the setup', async () => {
    const { outcome, written, calls, seen } = await runDemo(['--epochs', '3', '--no-progress']);
    expect(outcome.kind).toBe('ran');
    expect(calls).toEqual(['setup', 'run']);
    expect(seen[0]).toEqual({
      epochs: 3,
      mode: 'fast',
      seed: 7,
      cacheDir: join(appDir, '.cache'),
      outDir: join(appDir, 'results'),
      progress: false,
      readme: true,
    });
    expect(written.out).toContain(`readme: ${join(appDir, 'README.md')}\n`);
    expect(written.out).toMatch(/done in \d+\.\d s\n$/);
    expect(written.exitCode).toBeUndefined();
  });

  it('gives no README path under --no-readme', async () => {
    const { written } = await runDemo(['--no-readme', '--seed', '3', '--mode', 'slow']);
    expect(written.out).toContain('readme: none\n');
  });

  it('refuses a bad value with a CommandLineError naming the option, and exit code 1', async () => {
    const { outcome, written, calls } = await runDemo(['--epochs', '0']);
    expect(calls).toEqual([]);
    expect(outcome.kind).toBe('refused');
    const error = (outcome as Extract<CliOutcome, { kind: 'refused' }>).error;
    expect(error).toBeInstanceOf(CommandLineError);
    expect(error).toBeInstanceOf(ArgumentError);
    expect(error).toMatchObject({ field: '--epochs', expected: 'a whole number >= 1', received: '0', exitCode: 1 });
    expect(error.message).toBe('--epochs: expected a whole number >= 1, received 0');
    expect(written.err).toContain("option '--epochs <n>' argument '0' is invalid. expected a whole number >= 1, received 0");
    expect(written.exitCode).toBe(1);
  });

  it('refuses a value outside a list of choices and a seed below 1', async () => {
    const mode = await runDemo(['--mode', 'medium']);
    expect(mode.outcome).toMatchObject({ kind: 'refused', error: { field: '--mode', expected: 'one of fast, slow' } });
    const seed = await runDemo(['--seed', '0']);
    expect(seed.outcome).toMatchObject({ kind: 'refused', error: { field: '--seed', received: '0' } });
  });

  it('refuses an unknown option with a CommandLineError on the command line', async () => {
    const { outcome, written } = await runDemo(['--epoch', '3']);
    expect(outcome).toMatchObject({ kind: 'refused', exitCode: 1, error: { field: 'command line' } });
    expect((outcome as Extract<CliOutcome, { kind: 'refused' }>).error.received).toContain("unknown option '--epoch'");
    expect(written.exitCode).toBe(1);
  });

  it('sets exit code 1 and prints the error when the run throws', async () => {
    const failure = new ArgumentError({ field: 'data', expected: 'a file', received: 'none' });
    const { outcome, written } = await runDemo([], async () => {
      throw failure;
    });
    expect(outcome).toEqual({ kind: 'failed', exitCode: 1, error: failure });
    expect(written.exitCode).toBe(1);
    expect(written.err).toBe('ArgumentError: data: expected a file, received none\n');
    expect(written.out).not.toContain('done in');
  });

  it('prints help with every option and its default, exit code untouched', async () => {
    const { outcome, written, calls } = await runDemo(['--help']);
    expect(outcome).toEqual({ kind: 'help', exitCode: 0 });
    expect(calls).toEqual([]);
    for (const flag of ['--epochs <n>', '--mode <mode>', '--seed <n>', '--cache-dir <dir>', '--out-dir <dir>', '--no-progress', '--no-readme']) {
      expect(written.out).toContain(flag);
    }
    expect(written.out).toContain('(default: 8)');
    expect(written.exitCode).toBeUndefined();
  });
});

describe('runCli with subcommands', () => {
  interface ServeOptions {
    readonly port: number;
  }
  interface ReportOptions {
    readonly outDir: string;
  }

  async function runTool(argv: string[]) {
    const { io, written } = recordingIo(argv);
    const ran: string[] = [];
    const outcome = await runCli(
      {
        moduleUrl,
        name: 'tool',
        description: 'A tool with two commands.',
        commands: [
          cliCommand<ServeOptions>({
            name: 'serve',
            description: 'Serves.',
            options: (command) => command.option('--port <n>', 'port', positiveInt, 8080),
            common: {},
            timed: false,
            run: async (options) => {
              ran.push(`serve ${options.port}`);
            },
          }),
          cliCommand<ReportOptions>({
            name: 'report',
            isDefault: true,
            description: 'Reports.',
            common: { outDir: 'where the report goes' },
            run: async (options) => {
              ran.push(`report ${options.outDir}`);
            },
          }),
        ],
      },
      io,
    );
    return { outcome, written, ran };
  }

  it('runs the named command, or the default one', async () => {
    const named = await runTool(['serve', '--port', '9000']);
    expect(named.ran).toEqual(['serve 9000']);
    expect(named.written.out).not.toContain('done in');
    const byDefault = await runTool([]);
    expect(byDefault.ran).toEqual([`report ${join(appDir, 'results')}`]);
    expect(byDefault.written.out).toContain('done in');
  });

  it("names a subcommand's bad option", async () => {
    const { outcome, written } = await runTool(['serve', '--port', 'x']);
    expect(outcome).toMatchObject({ kind: 'refused', error: { field: '--port', received: 'x' } });
    expect(written.exitCode).toBe(1);
  });

  it("shows a subcommand's help", async () => {
    const { outcome, written } = await runTool(['report', '--help']);
    expect(outcome.kind).toBe('help');
    expect(written.out).toContain('where the report goes');
  });
});

describe('CommonOptionsOf', () => {
  it('asks for exactly the common options an options type holds', () => {
    const full: CommonOptionsOf<{ seed: number; outDir: string }> = {
      seed: { description: 'seed', default: 1 },
      outDir: true,
    };
    // @ts-expect-error: outDir is in the options type, so it must be declared
    const missing: CommonOptionsOf<{ seed: number; outDir: string }> = { seed: { description: 'seed', default: 1 } };
    // @ts-expect-error: readme is not in the options type
    const extra: CommonOptionsOf<{ outDir: string }> = { outDir: true, readme: true };
    // @ts-expect-error: a seed must be a number
    const wrongType: CommonOptionsOf<{ seed: string }> = { seed: { description: 'seed', default: 1 } };
    expect([full, missing, extra, wrongType]).toHaveLength(4);
  });
});
