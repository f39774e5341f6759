// The command line: commander options built from the FLAGS table, argv → a checked Options object,
// and the two top-level outcomes that are not a crawl's: the user's mistake (one line, exit 2) and
// a bug (one line asking for a report, exit 70). The crawl itself (undici, pino, p-queue…) is
// imported only after parsing, so `crawl --version` and `crawl --help` start fast.
import { createRequire } from 'node:module';
import type * as Commander from 'commander';
import { EXIT } from './exit.js';
import { FLAGS, VERSION, checkOptions, type Flag, type FlagKey, type Options } from './options.js';
import { report } from './report.js';
import { UserError } from './user-error.js';

// commander is CommonJS: required directly, it loads ~9 ms sooner than through an ESM import, which
// first scans its source for named exports. Every start, --version included, pays this.
const { Command, CommanderError, InvalidArgumentError, Option } = createRequire(import.meta.url)('commander') as typeof Commander;

const EXAMPLES = `
Examples:
  crawl urls.txt > out.ndjson
  cat urls.txt | crawl --limit 64 --per-host 8 | jq -c 'select(.ok | not)'
  crawl urls.txt -o out.ndjson --resume             # continue an interrupted crawl
  crawl urls.txt --select 'h1=h1' --select 'img=img@src' --links
  crawl urls.txt -b cookies.txt -c cookies.txt -H 'Accept-Language: en'

Exit status: 0 the crawl ran to the end (failed URLs are records), 1 with --fail when a
record is not ok, 2 usage or I/O error, 70 internal error (a bug: please report it),
129 terminal closed (SIGHUP), 130 interrupted (SIGINT), 143 terminated (SIGTERM).`;

/** commander's Option for one table entry; our parsers' UsageError becomes commander's usage error. */
function commanderOption<T>(flag: Flag<T>): Commander.Option {
  const shown = flag.defaultHelp ?? (typeof flag.default === 'number' || typeof flag.default === 'string' ? JSON.stringify(flag.default) : undefined);
  const option = new Option(flag.flags, shown === undefined ? flag.help : `${flag.help} (default: ${shown})`);
  const { parse } = flag;
  if (parse) {
    const name = option.long ?? option.flags;
    option.argParser((value: string, previous: T | undefined) => {
      try {
        return parse(value, previous ?? flag.default, name);
      } catch (err) {
        if (err instanceof UserError) throw new InvalidArgumentError(err.message);
        throw err;
      }
    });
  }
  return option;
}

function program(): { cmd: Commander.Command; options: [FlagKey, Commander.Option][] } {
  const cmd = new Command('crawl')
    .description('Fetch every URL of a list, concurrently and host-fair; write one JSON record per URL (NDJSON).')
    .argument('[inputs...]', 'files with one URL per line; none or "-" reads stdin');
  const options: [FlagKey, Commander.Option][] = [];
  const add = <K extends FlagKey>(key: K): void => {
    const option = commanderOption(FLAGS[key]);
    cmd.addOption(option);
    options.push([key, option]);
  };
  for (const key of Object.keys(FLAGS) as FlagKey[]) add(key);
  cmd
    .version(VERSION, '-V, --version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', EXAMPLES)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(`crawl: ${s.replace(/^error: /, '')}`),
      // One line: commander puts its "(Did you mean --limit?)" hint on a line of its own, and echoes
      // a bad argument as given (a -H value with CR/LF, an escape sequence): control characters go.
      outputError: (s, write) => write(`${s.replace(/\n+$/, '').replace(/[\x00-\x1f\x7f]+/g, ' ')} (see crawl --help)\n`),
    });
  return { cmd, options };
}

/** Parses argv into Options; throws CommanderError (usage, help, version) or UsageError. */
export function parseOptions(argv: string[]): Options {
  const { cmd, options } = program();
  cmd.parse(argv, { from: 'user' });
  // Values come back under commander's attribute names, as parsed by the table's own parsers.
  const values: Record<string, unknown> = { inputs: cmd.args };
  for (const [key, option] of options) values[key] = cmd.getOptionValue(option.attributeName()) ?? FLAGS[key].default;
  const parsed = values as unknown as Options;
  checkOptions(parsed);
  return parsed;
}

export async function main(argv: string[]): Promise<void> {
  // `crawl --help | head -1`, `crawl … | head -1`: a reader that went away ends the run quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT.ok);
  });
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      const shown = err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help';
      process.exitCode = shown ? EXIT.ok : EXIT.usage;
      return;
    }
    process.exitCode = report(err);
    return;
  }
  let code: number;
  try {
    const { run } = await import('./run.js');
    code = await run(options);
  } catch (err) {
    // run() reports what it meets itself; anything that escapes it is a bug.
    code = report(err);
  }
  if (code === EXIT.sighup) {
    // The terminal hung up. Node 20 can crash (SIGSEGV) in a plain exit once its terminal is gone;
    // dying of the signal itself is clean, and what a shell reports as 129 anyway. Everything is
    // written and the jar saved by now.
    process.removeAllListeners('SIGHUP');
    process.kill(process.pid, 'SIGHUP');
  }
  process.exit(code);
}
