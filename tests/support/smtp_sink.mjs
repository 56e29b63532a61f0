// Runs tests/support/smtp_sink.py (a real aiosmtpd server) and reads what it received.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const script = resolve(dirname(fileURLToPath(import.meta.url)), 'smtp_sink.py');

export async function startSmtpSink() {
  const dir = mkdtempSync(join(tmpdir(), 'cohorthub-smtp-'));
  const child = spawn('/usr/bin/python3', [script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const errors = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => errors.push(d));
  const port = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('smtp sink did not start: ' + errors.join(''))), 10000);
    child.once('exit', (code) => fail(new Error(`smtp sink exited ${code}: ${errors.join('')}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      ok(Number(line.split(' ')[1]));
    });
  });
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    // "refuse N", "stall N", "drop N" or "accept" for the next DATA commands.
    mode(text) { writeFileSync(join(dir, 'mode'), text); },
    // The messages accepted so far, parsed by Python's email package, in arrival order.
    messages() {
      return readdirSync(dir).filter((f) => /^msg-\d+\.json$/.test(f))
        .sort((a, b) => Number(a.slice(4, -5)) - Number(b.slice(4, -5)))
        .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')));
    },
    // One line per DATA: "<accept|refuse|stall|drop> <Message-ID>".
    attempts() {
      const p = join(dir, 'attempts.log');
      return existsSync(p) ? readFileSync(p, 'utf8').split('\n').filter(Boolean) : [];
    },
    // Resolves once `predicate()` holds, polling every 20 ms; fails after `ms`.
    async until(predicate, ms = 10000, what = 'condition') {
      const end = Date.now() + ms;
      while (!predicate()) {
        if (Date.now() > end) throw new Error('timed out waiting for ' + what + '; attempts: ' + this.attempts().join(', '));
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
