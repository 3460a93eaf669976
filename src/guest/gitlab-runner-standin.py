#!/usr/bin/python3
"""STAND-IN for gitlab-runner, installed as /usr/bin/gitlab-runner in
firelab's test and demo images only. It is NOT GitLab's runner: production
images carry the real one. It implements `run-single` with the shell
executor and the subset of the runner job protocol that firelab's guest
init and GitLab stand-in rely on, as the real runner speaks it:

  POST /api/v4/jobs/request     201 job / 204 none (retry every 3 s) / 403
  PUT  /api/v4/jobs/:id         state=running at once (two-phase commit),
                                final success|failed with exit code, trace
                                checksum and size
  PATCH /api/v4/jobs/:id/trace  inclusive Content-Range, 202 / 416 resume,
                                Job-Status canceling|canceled stops the job

Jobs run as the unprivileged user `gitlab-runner`, so they cannot read the
root-only config that holds the runner token; the token is never put in a
job's environment or printed. Python standard library only.
"""
import argparse
import hashlib
import hmac
import json
import os
import pwd
import random
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zlib

VERSION = "19.3.0-firelab-standin"
CHECK_INTERVAL = 3  # seconds between job requests, fixed as in the runner
NOT_HEALTHY_INTERVAL = 300  # after a 403, as the real runner does
RETRY_STATUSES = {408, 429, 500, 502, 503, 504}
KEEPALIVE_SECONDS = 30
MAX_PATCH_BYTES = 1024 * 1024
JOB_USER = "gitlab-runner"
FEATURES = {
    "variables": True, "image": False, "services": False,
    "artifacts": False, "cache": False, "shared": False,
    "upload_multiple_artifacts": False, "upload_raw_artifacts": False,
    "session": False, "terminal": False, "refspecs": True, "masking": True,
    "proxy": False, "raw_variables": True, "artifacts_exclude": False,
    "multi_build_steps": True, "trace_reset": True, "trace_checksum": True,
    "trace_size": True, "vault_secrets": False, "cancelable": True,
    "return_exit_code": True, "cancel_gracefully": True,
    "two_phase_job_commit": True,
}


def log(message):
    """Status lines for the VM console. Never pass a token here."""
    print(f"gitlab-runner (stand-in): {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- HTTP


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower(), "")

    def json(self):
        if "application/json" not in self.header("content-type"):
            raise ValueError("response is not application/json")
        return json.loads(self.body)


class Api:
    """The /api/v4 client, retrying 408/429/5xx with jittered backoff."""

    def __init__(self, url):
        self.base = url.rstrip("/") + "/api/v4/"

    def call(self, method, path, body=None, headers=None, attempts=5):
        delay = 0.1
        for attempt in range(attempts):
            res = self._once(method, path, body, headers or {})
            if res.status not in RETRY_STATUSES and res.status != 0:
                return res
            if attempt == attempts - 1:
                return res
            wait = retry_after(res) or delay * (1 + random.random())
            time.sleep(min(wait, 60))
            delay = min(delay * 2, 60)
        return res

    def _once(self, method, path, body, headers):
        data = body
        hdrs = {"User-Agent": f"gitlab-runner {VERSION} linux/amd64",
                "X-Request-Id": uuid.uuid4().hex, **headers}
        if isinstance(body, dict):
            data = json.dumps(body).encode()
            hdrs.setdefault("Content-Type", "application/json")
            hdrs.setdefault("Accept", "application/json")
        req = urllib.request.Request(self.base + path, data=data,
                                     headers=hdrs, method=method)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return Response(r.status, lower(r.headers), r.read())
        except urllib.error.HTTPError as e:
            return Response(e.code, lower(e.headers), e.read())
        except (OSError, ValueError) as e:
            log(f"{method} {path.split('?')[0]}: {e.__class__.__name__}")
            return Response(0, {}, b"")


def lower(headers):
    return {k.lower(): v for k, v in headers.items()}


def retry_after(res):
    try:
        return float(res.header("retry-after"))
    except ValueError:
        return None


def range_end(res):
    """The N of a `Range: 0-N` header, or None."""
    value = res.header("range")
    try:
        return int(value.split("-")[1]) if "-" in value else None
    except ValueError:
        return None


def checksum(data):
    return "crc32:%08x" % (zlib.crc32(bytes(data)) & 0xFFFFFFFF)


def rewrite_repo_url(repo_url, clone_url):
    """Like the runner's clone_url: scheme, host and port (and any path
    prefix) from clone_url; credentials and project path from repo_url."""
    if not clone_url:
        return repo_url
    repo = urllib.parse.urlsplit(repo_url)
    base = urllib.parse.urlsplit(clone_url)
    auth = repo.netloc.rpartition("@")[0]
    netloc = f"{auth}@{base.netloc}" if auth else base.netloc
    path = base.path.rstrip("/") + repo.path
    return urllib.parse.urlunsplit((base.scheme, netloc, path, "", ""))


# --------------------------------------------------------------- trace


class Trace:
    """The job log, sent in PATCHes by a background thread."""

    def __init__(self, api, job_id, job_token, masks):
        self.api, self.job_id, self.job_token = api, job_id, job_token
        self.masks = sorted((m for m in masks if len(m) >= 4), key=len,
                            reverse=True)
        self.buf = bytearray()
        self.sent = 0
        self.interval = 3.0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.cancel = None  # None, "canceling" or "abort"
        self.last_update = time.monotonic()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def write(self, text):
        for mask in self.masks:
            text = text.replace(mask, "[MASKED]")
        with self.lock:
            self.buf += text.encode(errors="replace")

    def start(self):
        self.thread.start()

    def _loop(self):
        while not self.stopping.wait(self.interval):
            self.send()
            if time.monotonic() - self.last_update >= KEEPALIVE_SECONDS:
                self.keepalive()

    def send(self):
        """Sends what is new; returns False if the job must stop now."""
        with self.lock:
            chunk = bytes(self.buf[self.sent:self.sent + MAX_PATCH_BYTES])
            start = self.sent
        if not chunk:
            return True
        res = self.api.call("PATCH", f"jobs/{self.job_id}/trace", chunk, {
            "Content-Type": "text/plain", "JOB-TOKEN": self.job_token,
            "Content-Range": f"{start}-{start + len(chunk) - 1}"})
        self.last_update = time.monotonic()
        self._note_status(res)
        if res.status == 202:
            self.sent = start + len(chunk)
        elif res.status == 416:
            end = range_end(res)
            self.sent = min(end, len(self.buf)) if end is not None else 0
        elif res.status in (403, 404):
            self.cancel = "abort"
        interval = res.header("x-gitlab-trace-update-interval")
        if interval.isdigit() and int(interval) > 0:
            self.interval = min(float(interval), 900.0)
        return self.cancel != "abort"

    def keepalive(self):
        res = self.api.call("PUT", f"jobs/{self.job_id}", {
            "token": self.job_token, "state": "running",
            "output": self.output(), "info": runner_info()},
            {"JOB-TOKEN": self.job_token})
        self.last_update = time.monotonic()
        self._note_status(res)

    def _note_status(self, res):
        status = res.header("job-status")
        if status in ("canceled", "failed") or res.status == 403:
            self.cancel = "abort"
        elif status == "canceling" and self.cancel is None:
            self.cancel = "canceling"

    def flush(self):
        self.stopping.set()
        if self.thread.is_alive():
            self.thread.join()
        for _ in range(20):
            if self.sent >= len(self.buf) or not self.send():
                return

    def output(self):
        with self.lock:
            return {"checksum": checksum(self.buf), "bytesize": len(self.buf)}


# ---------------------------------------------------------------- jobs


def runner_info():
    return {"name": "gitlab-runner", "version": VERSION,
            "revision": "standin", "platform": "linux",
            "architecture": "amd64", "executor": "shell", "shell": "bash",
            "features": FEATURES, "config": {"gpus": ""}, "labels": {}}


def system_id():
    try:
        with open("/etc/machine-id", "rb") as f:
            key = f.read().strip()
    except OSError:
        key = b""
    if not key or key == b"uninitialized":
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        return "r_" + "".join(secrets.choice(alphabet) for _ in range(12))
    digest = hmac.new(key, b"gitlab-runner", hashlib.sha256).hexdigest()
    return "s_" + digest[:12]


class JobUser:
    """Who runs job steps: the unprivileged job user when we are root."""

    def __init__(self):
        self.pw = pwd.getpwnam(JOB_USER) if os.geteuid() == 0 else None

    def kwargs(self):
        if self.pw is None:
            return {}
        return {"user": self.pw.pw_uid, "group": self.pw.pw_gid,
                "extra_groups": []}

    def own(self, path):
        if self.pw is not None:
            os.chown(path, self.pw.pw_uid, self.pw.pw_gid)

    def home(self):
        return self.pw.pw_dir if self.pw else os.environ.get("HOME", "/")

    def name(self):
        return self.pw.pw_name if self.pw else "root"


def job_env(job, user, project_dir, builds_dir, tmp):
    """The job's environment, built from scratch: never the runner's own
    (which may hold secrets), only job variables and CI_* basics."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": user.home(),
           "USER": user.name(), "LOGNAME": user.name(), "SHELL": "/bin/bash",
           "LANG": "C.UTF-8", "CI": "true", "GITLAB_CI": "true",
           "CI_SERVER": "yes", "CI_PROJECT_DIR": project_dir,
           "CI_BUILDS_DIR": builds_dir, "CI_JOB_STATUS": "running"}
    for var in job.get("variables") or []:
        key, value = var.get("key", ""), str(var.get("value", ""))
        if not key:
            continue
        if var.get("file"):
            fd, path = tempfile.mkstemp(dir=tmp, prefix=key + ".")
            os.write(fd, value.encode())
            os.close(fd)
            user.own(path)
            value = path
        env[key] = value
    return env


def step_script(commands, project_dir):
    lines = ["set -eo pipefail", f"cd {shlex.quote(project_dir)}"]
    for command in commands:
        shown = "\x1b[32;1m$ " + command + "\x1b[0;m"
        lines += [f"printf '%s\\n' {shlex.quote(shown)}", command]
    return "\n".join(lines) + "\n"


def run_process(argv, env, cwd, user, trace, deadline, after=False):
    """Runs argv as the job user, its output into the trace. Returns the
    exit code, "timeout", or "canceled". A graceful cancel (canceling)
    stops the script but lets after_script run; an abort stops both."""
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True, **user.kwargs())
    reader = threading.Thread(target=lambda: pump(proc.stdout, trace))
    reader.start()
    outcome = None
    while proc.poll() is None:
        if trace.cancel == "abort" or (trace.cancel and not after):
            outcome = "canceled"
        elif deadline is not None and time.monotonic() > deadline:
            outcome = "timeout"
        if outcome:
            kill_group(proc)
            break
        time.sleep(0.2)
    code = proc.wait()
    reader.join()
    return outcome or code


def pump(stream, trace):
    for line in iter(stream.readline, b""):
        trace.write(line.decode(errors="replace"))


def kill_group(proc):
    for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=grace)
            return
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue


def get_sources(job, cfg, env, project_dir, user, trace, deadline):
    if env.get("GIT_STRATEGY") == "none":
        trace.write("Skipping Git repository setup\n")
        return 0
    git = job.get("git_info") or {}
    url = rewrite_repo_url(git.get("repo_url", ""), cfg.get("clone_url"))
    depth = int(git.get("depth") or 0)
    refspecs = git.get("refspecs") or [
        f"+refs/heads/{git.get('ref')}:refs/remotes/origin/{git.get('ref')}"]
    fetch = ["git", "fetch", "-q", "origin", *refspecs]
    if depth > 0:
        fetch.insert(2, f"--depth={depth}")
    trace.write(f"Fetching changes for {git.get('ref')} ({git.get('sha')})\n")
    steps = [["git", "init", "-q", project_dir],
             ["git", "-C", project_dir, "remote", "add", "origin", url],
             ["git", "-C", project_dir, *fetch[1:]],
             ["git", "-C", project_dir, "checkout", "-q", "-f", git["sha"]]]
    genv = {**env, "GIT_TERMINAL_PROMPT": "0"}
    for argv in steps:
        code = run_process(argv, genv, "/", user, trace, deadline)
        if code != 0:
            return code
    return 0


def run_steps(job, env, project_dir, user, trace, tmp, deadline):
    """Runs script then after_script per `when`. Returns (state, exit
    code, failure reason)."""
    state, exit_code, reason = "success", 0, None
    for step in job.get("steps") or []:
        when = step.get("when", "on_success")
        failed = state == "failed"
        if (when == "on_success" and failed) or (
                when == "on_failure" and not failed):
            continue
        after = step.get("name") == "after_script"
        trace.write("Running after_script\n" if after else
                    f'Executing "step_{step.get("name")}" stage\n')
        path = os.path.join(tmp, f"step_{step.get('name')}.sh")
        with open(path, "w") as f:
            f.write(step_script(step.get("script") or [], project_dir))
        user.own(path)
        step_env = {**env, "CI_JOB_STATUS": state if after else "running"}
        step_deadline = deadline
        if after and deadline is not None:
            # after_script runs even after a timeout, with its own 5 min.
            step_deadline = max(deadline, time.monotonic() + 300)
        code = run_process(["bash", path], step_env, project_dir, user,
                           trace, step_deadline, after)
        if after or (code == 0) or (
                step.get("allow_failure") and isinstance(code, int)):
            continue
        state = "failed"
        if code == "timeout":
            exit_code, reason = None, "job_execution_timeout"
        elif code == "canceled":
            exit_code, reason = None, "script_failure"
            if trace.cancel == "abort":
                break
        else:
            exit_code, reason = code, "script_failure"
    return state, exit_code, reason


def execute(job, cfg, user, trace):
    builds_dir = cfg.get("builds_dir") or "/builds"
    path = (job.get("job_info") or {}).get("project_full_path") or "project"
    project_dir = os.path.join(builds_dir, path.strip("/"))
    os.makedirs(project_dir, exist_ok=True)
    for d in (builds_dir, project_dir):
        user.own(d)
    timeout = (job.get("runner_info") or {}).get("timeout") or 3600
    deadline = time.monotonic() + int(timeout)
    with tempfile.TemporaryDirectory(prefix="job-") as tmp:
        user.own(tmp)
        env = job_env(job, user, project_dir, builds_dir, tmp)
        code = get_sources(job, cfg, env, project_dir, user, trace, deadline)
        if code != 0:
            return "failed", code if isinstance(code, int) else None, (
                "job_execution_timeout" if code == "timeout"
                else "script_failure")
        return run_steps(job, env, project_dir, user, trace, tmp, deadline)


def finish(api, job, trace, state, exit_code, reason):
    """The final state update, retried as the real runner does."""
    for _ in range(10):
        body = {"token": job["token"], "state": state, "info": runner_info(),
                "output": trace.output(), "checksum": trace.output()["checksum"]}
        if exit_code is not None:
            body["exit_code"] = exit_code
        if reason:
            body["failure_reason"] = reason
        res = api.call("PUT", f"jobs/{job['id']}", body,
                       {"JOB-TOKEN": job["token"]})
        status = res.header("job-status")
        if res.status == 200:
            return True
        if res.status in (403, 404) or status in ("canceled", "failed"):
            return False
        if res.status == 412:
            trace.sent = 0
            trace.flush()
        interval = res.header("x-gitlab-trace-update-interval")
        time.sleep(float(interval) if interval.isdigit() else 1.0)
    return False


def process_job(api, job, cfg, user):
    jid, token = job["id"], job["token"]
    masks = [token] + [str(v.get("value", "")) for v in
                       job.get("variables") or [] if v.get("masked")]
    trace = Trace(api, jid, token, masks)
    ack = api.call("PUT", f"jobs/{jid}", {"token": token, "state": "running",
                   "info": runner_info()}, {"JOB-TOKEN": token})
    if ack.status != 200 or ack.header("job-status") in ("canceled", "failed"):
        log(f"job {jid} could not be started (HTTP {ack.status})")
        return
    log(f"job {jid} started")
    trace.write(f"Running with gitlab-runner {VERSION} "
                "(firelab stand-in, not GitLab's runner)\n"
                f'  on {cfg.get("name", "firelab")} system ID: {system_id()}\n'
                "Using Shell (bash) executor...\n")
    trace.start()
    state, exit_code, reason = execute(job, cfg, user, trace)
    if trace.cancel == "abort":
        trace.stopping.set()
        log(f"job {jid} aborted by GitLab")
        return
    trace.write("\x1b[32;1mJob succeeded\x1b[0;m\n" if state == "success"
                else f"\x1b[31;1mERROR: Job failed: exit code {exit_code}"
                "\x1b[0;m\n")
    trace.flush()
    finish(api, job, trace, state, exit_code, reason)
    log(f"job {jid} finished: {state}")


def request_job(api, cfg, state):
    body = {"info": runner_info(), "token": cfg["token"],
            "system_id": state["system_id"],
            "last_update": state.get("last_update", "")}
    res = api.call("POST", "jobs/request", body)
    if res.header("x-gitlab-last-update"):
        state["last_update"] = res.header("x-gitlab-last-update")
    if res.status == 201:
        return res.json(), True
    return None, res.status != 403


# ----------------------------------------------------------------- CLI


def load_config(args):
    cfg = {}
    if args.config and os.path.exists(args.config):
        with open(args.config, "rb") as f:
            doc = tomllib.load(f)
        runners = doc.get("runners") or []
        chosen = [r for r in runners if r.get("name") == args.runner]
        if args.runner and not chosen:
            sys.exit(f"runner {args.runner!r} not found in {args.config}")
        cfg = dict(chosen[0] if chosen else (runners or [{}])[0])
    for key in ("url", "token", "executor", "builds_dir", "clone_url"):
        if getattr(args, key, None):
            cfg[key] = getattr(args, key)
    if not cfg.get("url") or not cfg.get("token"):
        sys.exit("run-single needs a url and a token (config or flags)")
    if cfg.get("executor", "shell") != "shell":
        sys.exit("this stand-in supports the shell executor only")
    return cfg


def run_single(args):
    cfg = load_config(args)
    api, user = Api(cfg["url"]), JobUser()
    state = {"system_id": system_id()}
    done, idle_since = 0, time.monotonic()
    log(f"run-single {VERSION}: waiting for a job "
        f"(max builds {args.max_builds}, wait timeout {args.wait_timeout}s)")
    while True:
        job, healthy = request_job(api, cfg, state)
        if job is not None:
            process_job(api, job, cfg, user)
            done, idle_since = done + 1, time.monotonic()
            if args.max_builds > 0 and done >= args.max_builds:
                log("max builds reached, exiting")
                return 0
            continue
        if not healthy:
            log("runner token rejected (403): unhealthy, backing off")
        time.sleep(CHECK_INTERVAL if healthy else NOT_HEALTHY_INTERVAL)
        idle = time.monotonic() - idle_since
        if args.wait_timeout > 0 and idle >= args.wait_timeout:
            log(f"no job within {args.wait_timeout}s, exiting")
            return 0


def main(argv):
    parser = argparse.ArgumentParser(prog="gitlab-runner")
    parser.add_argument("-v", "--version", action="store_true")
    sub = parser.add_subparsers(dest="command")
    single = sub.add_parser("run-single")
    single.add_argument("-c", "--config")
    single.add_argument("-r", "--runner")
    single.add_argument("-u", "--url")
    single.add_argument("-t", "--token")
    single.add_argument("--executor")
    single.add_argument("--builds-dir", dest="builds_dir")
    single.add_argument("--clone-url", dest="clone_url")
    single.add_argument("--max-builds", type=int, default=0)
    single.add_argument("--wait-timeout", type=int, default=0)
    args = parser.parse_args(argv)
    if args.version:
        print(f"Version:      {VERSION}\n"
              "Note:         firelab stand-in, not GitLab's gitlab-runner")
        return 0
    if args.command != "run-single":
        parser.error("only run-single is implemented by this stand-in")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return run_single(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
