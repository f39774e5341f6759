// The command line: commander turns argv into a validated Options object; every usage error is one
// line and exit 2. The crawl itself (undici, pino, p-queue…) is imported only after parsing, so
// `crawl --version` and `crawl --help` start fast.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Commander from 'commander';
import {
  DEFAULTS, LOG_LEVELS, PROGRESS_MODES, UsageError, parseChoice, parseHeader, parseIntOption, parseRate, parseResolve, parseSelect,
  type LogLevel, type Options, type ProgressMode, type ResolveRule, type SelectRule,
} from './options.js';

// commander is CommonJS: required directly, it loads ~9 ms sooner than through an ESM import, which
// first scans its source for named exports. Every start, --version included, pays this.
const { Command, CommanderError, InvalidArgumentError, Option } = createRequire(import.meta.url)('commander') as typeof Commander;

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Adapts our parsers to commander, which reports InvalidArgumentError as a usage error. */
function arg<T>(parse: (v: string) => T): (v: string) => T {
  return (v) => {
    try {
      return parse(v);
    } catch (err) {
      throw new InvalidArgumentError(err instanceof UsageError ? err.message : String(err));
    }
  };
}

function many<T>(parse: (v: string) => T): (v: string, prev: T[] | undefined) => T[] {
  const one = arg(parse);
  return (v, prev) => [...(prev ?? []), one(v)];
}

const EXAMPLES = `
Examples:
  crawl urls.txt > out.ndjson
  cat urls.txt | crawl --limit 64 --per-host 8 | jq -c 'select(.ok | not)'
  crawl urls.txt -o out.ndjson --resume             # continue an interrupted crawl
  crawl urls.txt --select 'h1=h1' --select 'img=img@src' --links
  crawl urls.txt -b cookies.txt -c cookies.txt -H 'Accept-Language: en'

Exit status: 0 the crawl ran to the end (failed URLs are records), 1 with --fail when a
record is not ok, 2 usage or I/O error, 130 interrupted (SIGINT), 143 terminated (SIGTERM).`;

interface Raw {
  limit: number;
  perHost: number;
  timeout: number;
  maxRedirects: number;
  header?: [string, string][];
  userAgent?: string;
  cookie?: string;
  cookieJar?: string;
  select?: SelectRule[];
  links?: boolean;
  output?: string;
  logLevel: LogLevel;
  logFile?: string;
  fail?: boolean;
  progress: ProgressMode;
  retries: number;
  rate?: number;
  maxBytes: number;
  resume?: boolean;
  resolve?: ResolveRule[];
}

function program(): Commander.Command {
  return new Command('crawl')
    .description('Fetch every URL of a list, concurrently and host-fair; write one JSON record per URL (NDJSON).')
    .argument('[inputs...]', 'files with one URL per line; none or "-" reads stdin')
    .option('-l, --limit <n>', 'most requests in flight at once over all hosts', arg(parseIntOption('--limit', 1)), DEFAULTS.limit)
    .option('-p, --per-host <n>', 'most requests in flight to one origin (scheme, host, port)', arg(parseIntOption('--per-host', 1)), DEFAULTS.perHost)
    .option('-t, --timeout <ms>', 'bound on one attempt, connect to last body byte', arg(parseIntOption('--timeout', 1)), DEFAULTS.timeout)
    .option('--max-redirects <n>', 'most redirect hops; more, a loop or a non-http(s) target is EREDIRECT', arg(parseIntOption('--max-redirects', 0)), DEFAULTS.maxRedirects)
    .option('-H, --header <"Name: value">', 'extra request header, repeatable', many(parseHeader))
    .option('-A, --user-agent <ua>', `User-Agent header [crawl/${VERSION}]`)
    .option('-b, --cookie <file|"n=v; n2=v2">', 'start the cookie jar from a Netscape cookie file, or send this cookie string')
    .option('-c, --cookie-jar <file>', 'write the cookie jar there (Netscape format) at the end')
    .option('--select <name=css[@attr]>', 'extract the first match\'s text (or attribute) into fields.name, repeatable', many(parseSelect))
    .option('--links', 'add the page\'s absolute http(s) links as links')
    .option('-o, --output <file>', 'write records there instead of stdout')
    .option('-r, --retries <n>', 'retries after network errors, timeouts, 408, 429 and 5xx', arg(parseIntOption('--retries', 0)), DEFAULTS.retries)
    .option('--rate <n>', 'most requests started per second per host [unlimited]', arg(parseRate))
    .option('--max-bytes <n>', 'most decoded body bytes read per page; the record says truncated', arg(parseIntOption('--max-bytes', 1)), DEFAULTS.maxBytes)
    .option('--resume', 'with -o: skip URLs that already have a record in the file, append the rest')
    .option('--resolve <host:port:addr>', 'connect to addr for host:port, like curl; repeatable', many(parseResolve))
    .addOption(new Option('--log-level <level>', 'pino log level (JSON on stderr)').argParser(arg(parseChoice('--log-level', LOG_LEVELS))).default(DEFAULTS.logLevel))
    .option('--log-file <file>', 'write logs there instead of stderr')
    .option('--fail', 'exit 1 when any record has ok: false')
    .addOption(new Option('--progress <mode>', 'live progress view on stderr: auto (TTY and not CI), always, never').argParser(arg(parseChoice('--progress', PROGRESS_MODES))).default(DEFAULTS.progress))
    .version(VERSION, '-V, --version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', EXAMPLES)
    .exitOverride()
    .configureOutput({
      writeErr: (s) => process.stderr.write(`crawl: ${s.replace(/^error: /, '')}`),
      // One line: commander puts its "(Did you mean --limit?)" hint on a line of its own.
      outputError: (s, write) => write(`${s.replace(/\n+$/, '').replace(/\n/g, ' ')} (see crawl --help)\n`),
    });
}

/** Parses argv; a CommanderError for usage errors, help and version. */
export function parseOptions(argv: string[]): Options {
  const cmd = program();
  cmd.parse(argv, { from: 'user' });
  const o = cmd.opts<Raw>();
  if (o.resume && !o.output) throw new CommanderError(2, 'crawl.usage', '--resume needs -o FILE: it reads the records already there');
  return {
    inputs: cmd.args,
    limit: o.limit,
    perHost: o.perHost,
    timeout: o.timeout,
    maxRedirects: o.maxRedirects,
    headers: o.header ?? [],
    userAgent: o.userAgent ?? `crawl/${VERSION}`,
    ...(o.cookie !== undefined ? { cookie: o.cookie } : {}),
    ...(o.cookieJar !== undefined ? { cookieJar: o.cookieJar } : {}),
    select: o.select ?? [],
    links: o.links === true,
    ...(o.output !== undefined ? { output: o.output } : {}),
    logLevel: o.logLevel,
    ...(o.logFile !== undefined ? { logFile: o.logFile } : {}),
    fail: o.fail === true,
    progress: o.progress,
    retries: o.retries,
    rate: o.rate ?? 0,
    maxBytes: o.maxBytes,
    resume: o.resume === true,
    resolve: o.resolve ?? [],
  };
}

export async function main(argv: string[]): Promise<void> {
  // `crawl --help | head -1`, `crawl … | head -1`: a reader that went away ends the run quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
        process.exitCode = 0;
        return;
      }
      if (err.code === 'crawl.usage') process.stderr.write(`crawl: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  try {
    const { run } = await import('./run.js');
    process.exit(await run(options));
  } catch (err) {
    process.stderr.write(`crawl: unexpected error: ${(err as Error).message}\n`);
    process.exitCode = 2;
  }
}
