// `npm test`: run the suite (tests/*.test.mjs) under `node --test` against payluk-sandbox.
//
// Node 20's test runner has no global setup, so this script is it: unless PAYLUK_SANDBOX_URL
// names a running sandbox, it starts one — `payluk-sandbox --port 0` from PATH, or the command
// line in PAYLUK_SANDBOX_CMD with `--port 0` appended (split into words as a shell would: quotes
// and backslashes work; variables, pipes and `VAR=value` prefixes do not) — reads the URL its banner
// prints, waits for GET /healthz, runs `node --test` with PAYLUK_SANDBOX_URL set, and stops the
// sandbox's whole process group (the server and its workers) when the tests end, fail, or this
// script is interrupted (SIGINT, SIGTERM). Arguments replace the default list of test files and
// go to `node --test` as they are (`npm test -- tests/claim-window.test.mjs`).

import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const START_SECONDS = 30; // banner and /healthz
const STOP_SECONDS = 5; // SIGTERM, then SIGKILL (the sandbox lets its workers take 3 s)
// Test files are only clients: the few they need after a SIGTERM is all they get (Node 20's
// runner exits at once and leaves a test file still running to take 2 s over it).
const TESTS_STOP_SECONDS = 0.5;
const BANNER = /listening on (http:\/\/\S+)/;

const say = (line) => process.stderr.write(`npm test: ${line}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
// A timer that does not keep this process alive once everything else is done.
const timer = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

class Failure extends Error {}

/** A child in a process group of its own, so that one signal reaches it and everything it started. */
class Group {
  constructor(command, args, options) {
    this.child = spawn(command, args, { ...options, detached: true });
    this.pgid = this.child.pid;
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => resolve(code ?? 128 + os.constants.signals[signal]));
      this.child.on("error", (err) => resolve(err));
    });
    this.done = false;
    this.exited.then(() => { this.done = true; });
  }

  /** Whether any process of the group is still there. */
  alive() {
    if (!this.pgid) return false; // it never started
    try {
      process.kill(-this.pgid, 0);
      return true;
    } catch (err) {
      return err.code === "EPERM";
    }
  }

  signal(name) {
    if (!this.pgid) return;
    try {
      process.kill(-this.pgid, name);
    } catch {
      // already gone
    }
  }

  /** SIGTERM to the group; SIGKILL to whatever is left after `seconds`. Once: a second SIGTERM
   * would only slow the server's shutdown down. */
  stop(seconds = STOP_SECONDS) {
    this.stopping ??= (async () => {
      if (this.done && !this.alive()) return;
      this.signal("SIGTERM");
      const deadline = Date.now() + seconds * 1000;
      while ((!this.done || this.alive()) && Date.now() < deadline) await sleep(20);
      if (this.alive()) this.signal("SIGKILL");
    })();
    return this.stopping;
  }
}

let sandbox = null; // the Group we started, if any
let tests = null; // the `node --test` Group
let interrupted = false; // by SIGINT / SIGTERM: stopping, nothing more to report

/** A command line's words, as a POSIX shell splits them: '…' is literal, "…" and a bare
 * backslash escape what follows. (No shell in between: the sandbox is this process's own child.) */
function words(line) {
  const found = [];
  let word = null;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (/\s/.test(c)) {
      if (word !== null) found.push(word);
      word = null;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Failure(`unterminated ' in PAYLUK_SANDBOX_CMD: ${line}`);
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      word ??= "";
      for (i += 1; i < line.length && line[i] !== '"'; i += 1) {
        if (line[i] === "\\" && "\"\\$`".includes(line[i + 1] ?? "")) i += 1;
        word += line[i];
      }
      if (i >= line.length) throw new Failure(`unterminated " in PAYLUK_SANDBOX_CMD: ${line}`);
    } else if (c === "\\" && i + 1 < line.length) {
      word = (word ?? "") + line[++i];
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== null) found.push(word);
  return found;
}

/** Start `<command> --port 0`, read its URL, wait until it answers. */
async function startSandbox() {
  const configured = (process.env.PAYLUK_SANDBOX_CMD ?? "").trim();
  const [program, ...args] = configured ? words(configured) : ["payluk-sandbox"];
  const command = [program, ...args, "--port", "0"].join(" ");
  sandbox = new Group(program, [...args, "--port", "0"], {
    stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, PYTHONUNBUFFERED: "1" },
  });
  let output = "";
  let url = null;
  let announced;
  const found = new Promise((resolve) => { announced = resolve; });
  const keep = (chunk) => {
    output = (output + chunk).slice(-20_000); // what it printed last, for a failure message
    const match = url === null && BANNER.exec(output);
    if (match) {
      url = match[1].replace(/\/+$/, "");
      announced();
    }
  };
  sandbox.child.stdout.setEncoding("utf8").on("data", keep);
  sandbox.child.stderr.setEncoding("utf8").on("data", keep);
  sandbox.output = () => output;

  const deadline = Date.now() + START_SECONDS * 1000;
  const first = await Promise.race([found.then(() => "url"), sandbox.exited.then(() => "exit"),
    timer(START_SECONDS * 1000).then(() => "timeout")]);
  if (first !== "url") {
    const code = sandbox.done ? await sandbox.exited : null;
    const why = first === "timeout" ? `printed no URL within ${START_SECONDS} s`
      : code instanceof Error ? `cannot be started (${code.message})`
        : `exited (code ${code}) before it printed its URL`;
    if (code instanceof Error && code.code === "ENOENT" && !configured) {
      throw new Failure("payluk-sandbox is not on PATH: install the payluk-sandbox Python package, or set "
        + "PAYLUK_SANDBOX_CMD (a command line that runs it) or PAYLUK_SANDBOX_URL (a running sandbox)");
    }
    throw new Failure(`\`${command}\` ${why}\n${output.trim()}`);
  }
  while (!(await healthy(url))) {
    if (sandbox.done) throw new Failure(`payluk-sandbox at ${url} exited before it answered\n${output.trim()}`);
    if (Date.now() > deadline) throw new Failure(`payluk-sandbox at ${url} did not answer GET /healthz within ${START_SECONDS} s`);
    await sleep(20);
  }
  say(`payluk-sandbox at ${url} (\`${command}\`, process group ${sandbox.pgid})`);
  output = ""; // from here on: its log, shown when the tests fail
  return url;
}

/** GET /healthz answers 200. On a connection of its own, closed after it (not fetch's pool): an idle
 * keep-alive connection left open here would hold up the server's shutdown by seconds. */
function healthy(url) {
  return new Promise((resolve) => {
    const request = http.get(`${url}/healthz`, { agent: false, timeout: 2000 }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode === 200));
    });
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", () => resolve(false));
  });
}

/** A sandbox someone else runs (PAYLUK_SANDBOX_URL): check it answers, use it, leave it running. */
async function externalSandbox(url) {
  url = url.trim().replace(/\/+$/, "");
  const deadline = Date.now() + 10_000;
  while (!(await healthy(url))) {
    if (Date.now() > deadline) throw new Failure(`PAYLUK_SANDBOX_URL=${url}: GET /healthz does not answer`);
    await sleep(100);
  }
  say(`payluk-sandbox at ${url} (PAYLUK_SANDBOX_URL)`);
  return url;
}

function testFiles() {
  const args = process.argv.slice(2).map((arg) => (existsSync(arg) ? path.resolve(arg) : arg));
  if (args.length) return args;
  return readdirSync(path.join(ROOT, "tests")).filter((name) => name.endsWith(".test.mjs")).sort()
    .map((name) => path.join("tests", name));
}

async function runTests(url) {
  tests = new Group(process.execPath, ["--test", ...testFiles()], {
    cwd: ROOT, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, PAYLUK_SANDBOX_URL: url },
  });
  const code = await tests.exited;
  await tests.stop(TESTS_STOP_SECONDS); // test files the runner left behind, if any
  if (code instanceof Error) throw new Failure(`cannot run ${process.execPath} --test: ${code.message}`);
  return code;
}

async function cleanUp() {
  await Promise.all([tests?.stop(TESTS_STOP_SECONDS), sandbox?.stop()]);
}

async function main() {
  const external = (process.env.PAYLUK_SANDBOX_URL ?? "").trim();
  let code;
  try {
    const url = external ? await externalSandbox(external) : await startSandbox();
    code = await runTests(url);
    if (code !== 0 && sandbox && !interrupted) { // the server's side of a failure
      const tail = sandbox.output().trim().split("\n").slice(-30).join("\n");
      if (sandbox.done) say(`payluk-sandbox exited while the tests ran${tail ? `; what it printed last:\n${tail}` : ""}`);
      else if (tail) say(`what payluk-sandbox printed last:\n${tail}`);
    }
  } catch (err) {
    say(err instanceof Failure ? err.message : err.stack);
    code = 1;
  } finally {
    await cleanUp();
  }
  process.exitCode = code;
}

for (const name of ["SIGINT", "SIGTERM"]) {
  process.on(name, () => {
    if (interrupted) return;
    interrupted = true;
    say(`${name}: stopping`);
    cleanUp().finally(() => process.exit(128 + os.constants.signals[name]));
  });
}
// Last resort when this process ends any other way: no sandbox outlives it.
process.on("exit", () => {
  for (const group of [tests, sandbox]) if (group && group.alive()) group.signal("SIGKILL");
});

main();
