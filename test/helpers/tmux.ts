// Driving a real terminal for end-to-end view tests: tmux panes, their captured screen, waiting for it.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

export function hasTmux(): boolean {
  return spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** `arg` quoted for sh. */
export function quote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The visible pane as tmux shows it; `joined`: wrapped lines joined (-J); `all`: the history too. */
export function capture(session: string, { joined = false, all = false }: { joined?: boolean; all?: boolean } = {}): string {
  return execFileSync('tmux', ['capture-pane', '-p', ...(joined ? ['-J'] : []), '-t', session, ...(all ? ['-S', '-'] : [])], { encoding: 'utf8' });
}

/** Captures the pane until `ready` holds, or fails after `ms` showing the last screen. */
export async function waitForScreen(session: string, ready: (screen: string) => boolean, ms: number, what: string, joined = false): Promise<string> {
  const deadline = Date.now() + ms;
  let screen = '';
  while (Date.now() < deadline) {
    screen = capture(session, { joined });
    if (ready(screen)) return screen;
    await sleep(100);
  }
  assert.fail(`the pane never showed ${what}; last screen:\n${screen}`);
}
