"""Sandpiper's harness: runs model-written code (analysis.py) inside the sandbox.

It is the container's first process, and nothing the code does can reach it:

  - It starts isolated (`python3 -I`: no PYTHON* variables, no user
    site-packages, neither the script's folder nor the working folder on the
    import path) from `/`, which nobody can write, and imports only from
    read-only places: the image, and a session's package set (read-only too).
    What a run leaves in /workspace or /tmp is data, never imported by the
    harness, by a later run, or by the harness after it reloads.
  - It runs as root with four capabilities only: SETUID, SETGID and SETPCAP to
    hand the code another user with no capability at all, and KILL to end
    whatever the code leaves. It is not dumpable. The code runs as the
    unprivileged user, so it can read nothing of this process: not its memory,
    its environment, its file descriptors (its stdin carries the next run's
    request) nor anything under /proc/1 but its command line.
  - Only this process writes the container's stdout. The code's stdout and
    stderr are pipes this process reads and frames; what the code prints
    travels base64-encoded inside frames, so it can never forge one.

A one-off run's container gets its program on the command line:

    python3 -I -c <this file> once CONFIG CHUNKS <chunk>... -- [/data/a.csv ...]

A session container's harness stays resident and takes one run after another
from its stdin, each a length-prefixed JSON request (see `serve`):

    python3 -I -c <this file> serve CONFIG

CONFIG is JSON: the code's user, and for a one-off run its program's mode and
name and the run's limits (time, output, result sizes). MODE is "code"
(model-written code: the helpers below) or "script" (one of Sandpiper's own
programs, such as the Quick profile: run as it is, with the datasets as its
arguments). The source is compiled under its own name, never spliced into a
template, so line numbers in errors are its own.

Frames, one line each on stdout:

    S <token>        a run starts (a session's run carries the engine's token)
    O <base64>       bytes the code wrote to its stdout
    E <base64>       bytes the code wrote to its stderr
    D <json>         the run is over: its token, exit status, whether it ran
                     out of time, whether output was cut, the error report, and
                     what the output folder holds for the engine to copy

The code runs in a forked child, as the code's user. The harness waits for it
(or for its time limit plus a grace period, which holds even when the engine
is gone), ends every other process in the container until none is left, and
only then sends "done". A one-off harness then stays alive: the work folder is
a tmpfs volume that only exists while the container runs, and the engine
copies the output folder out of it before removing the container.

What the code gets, as the design notes promised the model:
  - auto-imports: pd, np, plt, sns when installed, plus os, sys, json, math, re,
    csv, datetime, statistics;
  - dataset variables: file_1, file_2, ... and main_file (the first one);
  - matplotlib under Agg: plt.show() saves instead of blocking, and figures still
    open at the end are saved to the output folder.

On an exception the code's stderr gets the error type, message, line, code
context, the traceback and debug information, and the harness's own report of
the exception (type, message, line, context) travels in the "done" frame: it
is what the engine reads, never text the code printed.
"""

import binascii
import contextlib
import ctypes
import importlib
import io
import json
import linecache
import os
import resource
import select
import shutil
import signal
import stat
import sys
import time
import traceback

CODE_NAME = "analysis.py"
WORKSPACE = "/workspace"
OUTPUT_DIR = os.environ.get("SANDPIPER_OUTPUT_DIR", "/workspace/output")
# The harness's own time limit is the run's plus this: the engine stops a run
# at its limit; this one only holds when the engine is gone.
GRACE_SECS = 2
READ_BYTES = 64 * 1024
# The work folder's listing in "done": at most this many files, each name cut
# to this many characters, and a walk of at most this many entries.
WORKSPACE_LISTED = 40
WORKSPACE_NAME_CHARS = 200
WORKSPACE_VISITS = 5000
REPORT_BYTES = 64 * 1024
# Capabilities (linux/capability.h) and prctl options (linux/prctl.h).
CAP_KILL = 5
PR_SET_DUMPABLE = 4
PR_CAPBSET_READ = 23
PR_CAPBSET_DROP = 24
LIBC = ctypes.CDLL(None, use_errno=True)
# The variables the code's programs expect, restored in its process: the
# harness itself keeps its files where the code cannot write (`private_home`).
CODE_ENV = {
    name: os.environ[name] for name in ("HOME", "MPLCONFIGDIR") if name in os.environ
}
_saved_figures = set()
# In the code's process: where the harness's report of an exception goes.
_report_fd = None
sys.dont_write_bytecode = True


def dataset_variables(paths):
    names = {"file_%d" % i: p for i, p in enumerate(paths, 1)}
    names["main_file"] = paths[0] if paths else None
    names["datasets"] = list(paths)
    return names


def auto_imports():
    """The seed's imports, each only if the image has it: a bare image still runs."""
    names = {}
    for module in ("os", "sys", "json", "math", "re", "csv", "datetime", "statistics"):
        names[module] = __import__(module)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        plt.show = lambda *args, **kwargs: save_open_figures()
        names["plt"] = plt
        names["matplotlib"] = matplotlib
    except Exception:
        pass
    for module, alias in (("pandas", "pd"), ("numpy", "np"), ("seaborn", "sns")):
        try:
            names[alias] = __import__(module)
        except Exception:
            pass
    try:
        # The analysis image's table readers (sandbox/read_tables.py).
        from sandpiper_reading import load_data

        names["load_data"] = load_data
    except Exception:
        pass
    return names


def save_open_figures():
    """Saves every open matplotlib figure not saved yet, as figure_N.png."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return
    try:
        os.makedirs(OUTPUT_DIR, exist_ok=True)
        for number in plt.get_fignums():
            if number in _saved_figures:
                continue
            plt.figure(number).savefig(
                os.path.join(OUTPUT_DIR, "figure_%d.png" % number),
                dpi=110,
                bbox_inches="tight",
            )
            _saved_figures.add(number)
    except Exception as exc:  # a broken figure must not hide the analysis' own result
        print("Sandpiper could not save a chart: %s" % exc, file=sys.stderr)


def code_frame(tb, source_lines):
    """The innermost traceback frame in the model's code: its line and context."""
    frames = [f for f in traceback.extract_tb(tb) if f.filename == CODE_NAME]
    if not frames:
        return None, None
    line = frames[-1].lineno
    return line, context_around(source_lines, line)


def context_around(source_lines, line, radius=2):
    if not line:
        return None
    first = max(1, line - radius)
    last = min(len(source_lines), line + radius)
    return "\n".join(
        "%s%4d | %s" % ("->" if n == line else "  ", n, source_lines[n - 1].rstrip()[:400])
        for n in range(first, last + 1)
    )


def from_model_code(tb):
    """The traceback from the model's first frame on: the harness's own frame
    would only confuse the model when it reads the error."""
    start = tb
    while start is not None and start.tb_frame.f_code.co_filename != CODE_NAME:
        start = start.tb_next
    return start or tb


def report(exc, line, context):
    """The seed's failure report on the code's stderr, for the model to read;
    then the harness's own report of the exception, for the engine."""
    err = sys.stderr
    print("\n" + "=" * 50, file=err)
    print("ANALYSIS EXECUTION FAILED", file=err)
    print("=" * 50, file=err)
    print("Error type: %s" % type(exc).__name__, file=err)
    print("Error message: %s" % exc, file=err)
    if line:
        print("Error line: %d" % line, file=err)
    if context:
        print("Code context:\n%s" % context, file=err)
    print("\nFull traceback:", file=err)
    traceback.print_exception(type(exc), exc, from_model_code(exc.__traceback__), file=err)
    print("\nDebug information:", file=err)
    print("Python version: %s" % sys.version.split()[0], file=err)
    print("Working directory: %s" % os.getcwd(), file=err)
    try:
        print("Files here: %s" % sorted(os.listdir(".")), file=err)
        if os.path.isdir("/data"):
            print("Datasets: %s" % sorted(os.listdir("/data")), file=err)
    except OSError:
        pass
    err.flush()
    payload = {
        "type": type(exc).__name__,
        "message": str(exc)[:2000],
        "line": line,
        "context": context,
    }
    try:
        os.write(_report_fd, json.dumps(payload).encode()[:REPORT_BYTES])
    except (OSError, TypeError):
        pass


def run_code(name, source, data_paths, read_choices):
    """Model-written code: the seed's helpers, structured error reports.
    `read_choices` are the sheets and header rows the analyst chose, by file
    name: load_data reads each workbook so unless the code says otherwise."""
    source_lines = source.splitlines()
    namespace = {"__name__": "__main__", "__file__": name}
    namespace.update(auto_imports())
    if read_choices and "load_data" in namespace:
        # This process is the run's own fork: the module's global goes with it.
        sys.modules[namespace["load_data"].__module__].READ_CHOICES = read_choices
    namespace.update(dataset_variables(data_paths))
    if "load_data" in namespace and data_paths:
        read, first = namespace["load_data"], data_paths[0]
        # load_data() with no file reads main_file.
        namespace["load_data"] = lambda path=None, sheet=None, header_row=None: read(
            first if path is None else path, sheet=sheet, header_row=header_row)
    try:
        code = compile(source, name, "exec")
    except SyntaxError as exc:
        report(exc, exc.lineno, context_around(source_lines, exc.lineno))
        return 1
    try:
        exec(code, namespace)
    except SystemExit as exc:
        save_open_figures()
        return exit_status(exc)
    except BaseException as exc:  # KeyboardInterrupt and MemoryError are the code's too
        save_open_figures()
        line, context = code_frame(exc.__traceback__, source_lines)
        report(exc, line, context)
        return 1
    save_open_figures()
    return 0


def run_script(name, source, data_paths):
    """One of Sandpiper's own programs: plain Python, datasets as arguments."""
    sys.argv = [name] + list(data_paths)
    try:
        exec(compile(source, name, "exec"), {"__name__": "__main__", "__file__": name})
    except SystemExit as exc:
        return exit_status(exc)
    except BaseException:
        traceback.print_exc()
        return 1
    return 0


def exit_status(exc):
    if exc.code is None or isinstance(exc.code, int):
        return (exc.code or 0) & 0xFF
    print(exc.code, file=sys.stderr)
    return 1


def parse_arguments(argv):
    """A one-off run: `once CONFIG CHUNKS <chunk>... -- [datasets]`."""
    config, chunks = json.loads(argv[2]), int(argv[3])
    source = "".join(argv[4 : 4 + chunks])
    rest = argv[4 + chunks :]
    data_paths = rest[1:] if rest[:1] == ["--"] else rest
    return config, source, data_paths


# --- The harness's own safety ------------------------------------------------


def protect_self():
    """Before anything else: not dumpable (no process of another user, nor a
    core dump, gets this process's memory), able to end every process in the
    container, and with files of its own where the code cannot write."""
    if LIBC.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "the harness could not make itself non-dumpable")
    if os.geteuid() != 0 or not has_capability(CAP_KILL):
        raise OSError(
            "Sandpiper's harness must start as the container's root with CAP_KILL, "
            "to run the code as another user and end what it leaves"
        )
    private_home()


def has_capability(cap):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("CapEff:"):
                return bool(int(line.split()[1], 16) >> cap & 1)
    return False


def private_home():
    """HOME and matplotlib's cache for the harness itself: a fresh folder only
    root can enter, so no file a run left there is ever read by the harness."""
    home = "/tmp/sandpiper-harness-" + os.urandom(8).hex()
    try:
        os.mkdir(home, 0o700)  # fails if the code made this name: never reused
    except OSError:
        home = "/"  # no cache for the harness then, and nothing to read
    os.environ["HOME"] = home
    os.environ["MPLCONFIGDIR"] = os.path.join(home, "matplotlib")


def become_code_user(user):
    """In a forked child: no capability left, not even in the bounding set, and
    the code's own user and group, with no supplementary groups."""
    uid, gid = user
    if uid == 0 or gid == 0:
        raise OSError("the code must never run as root")
    cap = 0
    while LIBC.prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0:
        if LIBC.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "could not drop capability %d" % cap)
        cap += 1
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    # Changing user made the process non-dumpable; the code's own process is
    # an ordinary one (its programs may read their own /proc entries), but
    # leaves no core dump on the host.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    LIBC.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)


@contextlib.contextmanager
def acting_as(user):
    """The harness itself, for a moment, with the code's user and group as its
    effective ones (and so its file-system ones, without any capability),
    then root again. For walking the code's folders after a run: a forked
    child for it cost a copy of the harness's page tables (pandas, numpy and
    matplotlib: about 200 MB) and its teardown, some 35 ms of every run.
    Safe only while no process of the code's is left (`end_everything` ran):
    none can signal or trace the harness meanwhile, and root's real and saved
    user ids stay, so going back needs no capability. If going back fails,
    the harness ends rather than go on as the code's user."""
    uid, gid = user
    if uid == 0 or gid == 0:
        raise OSError("the code's user is never root")
    groups = os.getgroups()
    try:
        # Inside the try: a switch that fails halfway is undone like a whole one.
        os.setgroups([])
        os.setresgid(-1, gid, -1)
        os.setresuid(-1, uid, -1)
        yield
    finally:
        try:
            os.setresuid(-1, 0, -1)
            os.setresgid(-1, 0, -1)
            os.setgroups(groups)
            # Changing the effective user reset the dumpable flag.
            if LIBC.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "could not be made non-dumpable again")
        except BaseException:
            os._exit(70)


def close_all_but(keep):
    """Closes every descriptor from 3 up except `keep`: the code must hold
    nothing of the harness's (its stdin, the container's stdout, the pipes)."""
    low = 3
    for fd in sorted(keep) + [os.sysconf("SC_OPEN_MAX")]:
        if fd >= low:
            os.closerange(low, fd)
            low = fd + 1


def end_everything():
    """From process 1: SIGKILL every other process in the container, and reap
    them, until none is left. kill(-1) reaches every process of every user
    (CAP_KILL) except this one, so nothing can escape: not a process that
    left its group or session, not a chain of them, not a fork loop."""
    while True:
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            return
        # Whatever was ours (or became ours, as orphans do) is reaped here;
        # a `docker exec`'d process is reaped from outside.
        reaped = False
        while True:
            try:
                os.waitpid(-1, 0)
                reaped = True
            except ChildProcessError:
                break
        if not reaped:
            time.sleep(0.001)


def reap_all(child):
    """Reaps every finished child (orphans of the code become ours) and
    returns the code's exit status once it has ended."""
    status = None
    while True:
        try:
            pid, wait_status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return status
        if pid == 0:
            return status
        if pid == child:
            code = os.waitstatus_to_exitcode(wait_status)
            status = 128 - code if code < 0 else code


# --- One run -------------------------------------------------------------------


class Child:
    """A forked child that has become the code's user and waits for its
    program on a pipe. A resident harness forks it before it reads the next
    request, so the code's memory never holds the request's token."""

    def __init__(self, user):
        stdout_r, stdout_w = os.pipe()
        stderr_r, stderr_w = os.pipe()
        report_r, report_w = os.pipe()
        job_r, job_w = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            try:
                child_main(user, stdout_w, stderr_w, report_w, job_r)
            finally:
                os._exit(1)
        for fd in (stdout_w, stderr_w, report_w, job_r):
            os.close(fd)
        self.pid = pid
        self.outputs = {stdout_r: b"O", stderr_r: b"E"}
        self.report_r = report_r
        self.job_w = job_w

    def start(self, job):
        """Hands the child its program. A child already gone is told by its
        exit status."""
        data = memoryview(json.dumps(job).encode())
        try:
            while data:
                data = data[os.write(self.job_w, data) :]
        except OSError:
            pass
        os.close(self.job_w)
        self.job_w = None

    def discard(self):
        if self.job_w is not None:
            os.close(self.job_w)
        for fd in list(self.outputs) + [self.report_r]:
            os.close(fd)


def child_main(user, stdout_w, stderr_w, report_w, job_r):
    """In the forked child: give up everything of the harness's, become the
    code's user, wait for the program, run it, and end with its status."""
    global _report_fd
    status = 1
    try:
        # When memory runs out the kernel ends the code, not the harness that
        # reports it.
        try:
            with open("/proc/self/oom_score_adj", "w") as f:
                f.write("1000")
        except OSError:
            pass
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(stdout_w, 1)
        os.dup2(stderr_w, 2)
        close_all_but({report_w, job_r})
        code_streams()
        become_code_user(user)
        _report_fd = report_w
        job = json.loads(read_to_end(job_r))
        os.close(job_r)
        os.environ.update(CODE_ENV)
        os.chdir(WORKSPACE)
        prepare_outputs(job.get("fresh_outputs", False))
        # Packages installed since a resident harness started must be importable.
        importlib.invalidate_caches()
        mode, name, source = job["mode"], job["name"], job["source"]
        # Tracebacks show source lines from linecache; the code has no file on disk.
        linecache.cache[name] = (len(source), None, source.splitlines(True), name)
        if mode == "code":
            status = run_code(name, source, job["datasets"], job.get("read_choices") or {})
        else:
            # Sandpiper's scripts carry what was chosen in their own source.
            status = run_script(name, source, job["datasets"])
    except BaseException:
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(status)


def code_streams():
    """The code's sys.stdout and sys.stderr, unbuffered (as PYTHONUNBUFFERED
    would make them: the harness starts isolated from such variables), so its
    output streams as it prints."""
    for fd, name in ((1, "stdout"), (2, "stderr")):
        old = getattr(sys, name)
        stream = io.TextIOWrapper(
            io.FileIO(fd, "w", closefd=False),
            encoding=old.encoding,
            errors=old.errors,
            write_through=True,
        )
        setattr(sys, name, stream)
        setattr(sys, "__%s__" % name, stream)


def read_to_end(fd):
    chunks = []
    while True:
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def prepare_outputs(fresh):
    """An empty output folder: a session's next run must not bring back the
    files of the one before."""
    if fresh:
        if os.path.islink(OUTPUT_DIR):
            os.unlink(OUTPUT_DIR)
        shutil.rmtree(OUTPUT_DIR, ignore_errors=True)
    os.makedirs(OUTPUT_DIR, exist_ok=True)


def frame(kind, payload=b""):
    """One frame on the container's stdout, which only this process writes."""
    view = memoryview(kind + b" " + payload + b"\n")
    while view:
        view = view[os.write(1, view) :]


def relay(child, limits):
    """Frames what the code writes until it has exited or its time is up (the
    engine's limit plus a grace period), then ends every process in the
    container and frames what they had left in the pipes. Forwards a little
    more than the `output_cap_bytes` the engine keeps of each stream (so the
    engine sees the overflow even when it stops the run first) and drains the
    rest, so a flood of output costs the host nothing. Returns the status,
    whether time ran out, whether output was cut, and the raw report."""
    deadline = time.monotonic() + limits["timeout_secs"] + GRACE_SECS
    cap = limits["output_cap_bytes"] + READ_BYTES
    sent = {fd: 0 for fd in child.outputs}
    state = {"truncated": False}
    report = bytearray()
    poller = select.poll()
    for fd in list(child.outputs) + [child.report_r]:
        poller.register(fd, select.POLLIN)
    pidfd = None
    try:
        pidfd = os.pidfd_open(child.pid)
        poller.register(pidfd, select.POLLIN)
    except (AttributeError, OSError):
        pass  # an older kernel: look for the child's end every 10 ms instead
    open_fds = set(child.outputs) | {child.report_r}

    def forward(fd, data):
        room = cap - sent[fd]
        if len(data) > room:
            data = data[: max(room, 0)]
            state["truncated"] = True
        if data:
            sent[fd] += len(data)
            frame(child.outputs[fd], binascii.b2a_base64(data, newline=False))

    def read_from(fd):
        data = os.read(fd, READ_BYTES)
        if not data:
            poller.unregister(fd)
            open_fds.discard(fd)
        elif fd == child.report_r:
            report.extend(data[: REPORT_BYTES - len(report)])
        else:
            forward(fd, data)

    status, timed_out = None, False
    while status is None:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        wait = min(left, 0.1 if pidfd is not None else 0.01)
        for fd, _ in poller.poll(wait * 1000):
            if fd in open_fds:
                read_from(fd)
        status = reap_all(child.pid)
    # The code has exited (or its time is up): nothing it started outlives it.
    end_everything()
    for fd in list(open_fds):  # every writer is gone: each read ends at EOF
        while fd in open_fds:
            read_from(fd)
    if pidfd is not None:
        os.close(pidfd)
    for fd in list(child.outputs) + [child.report_r]:
        os.close(fd)
    return status, timed_out, state["truncated"], parse_report(report)


def parse_report(raw):
    """The harness's report of the code's exception, checked field by field."""
    try:
        payload = json.loads(bytes(raw).decode())
        fields = {
            "type": payload["type"],
            "message": payload["message"],
            "line": payload.get("line"),
            "context": payload.get("context"),
        }
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not isinstance(fields["type"], str) or not isinstance(fields["message"], str):
        return None
    if fields["line"] is not None and not isinstance(fields["line"], int):
        fields["line"] = None
    if fields["context"] is not None and not isinstance(fields["context"], str):
        fields["context"] = None
    return fields


def run(child, job, limits):
    """Runs `job` in the prepared child: the "done" frame's content."""
    child.start(job)
    status, timed_out, truncated, error = relay(child, limits)
    done = {
        "status": None if timed_out else status,
        "timed_out": timed_out,
        "truncated": truncated,
        "error": error,
    }
    done.update(settle_outputs(job["user"], limits))
    return done


# --- The output folder -----------------------------------------------------------


def output_is_empty():
    try:
        with os.scandir(OUTPUT_DIR) as entries:
            return next(entries, None) is None
    except FileNotFoundError:
        return True
    except OSError:
        return False


def settle_outputs(user, limits):
    """What the engine may copy out of the output folder, and the files the
    work folder holds (for the next step's prompt). Nothing of the code runs
    any more; acting as the code's user (the folders are the code's), the
    harness walks them, never following a link, and removes every output the
    engine would refuse anyway, so the copy never streams more than the work
    folder can really hold: a sparse file of many GiB (a few bytes in the
    container) is removed, not streamed."""
    has_outputs = not output_is_empty()
    unreadable = {"outputs": False}
    if has_outputs:
        unreadable["refused"] = ["the output folder: Sandpiper could not read all of it"]
    try:
        with acting_as(user):
            found = {"outputs": False, "output_bytes": 0, "output_entries": 0, "refused": []}
            if has_outputs:
                found = scan_outputs(limits["artifact_cap_bytes"], limits["workspace_bytes"])
            found["workspace"] = list_workspace()
    except Exception:
        return unreadable
    try:
        settled = {
            "outputs": bool(found["outputs"]),
            "output_bytes": int(found["output_bytes"]),
            "output_entries": int(found["output_entries"]),
            "refused": [str(r) for r in found["refused"]],
        }
    except (ValueError, KeyError, TypeError):
        return unreadable
    settled["workspace"] = checked_listing(found.get("workspace"))
    return settled


def list_workspace():
    """Acting as the code's user: the work folder's regular files (the
    output folder, dot-files and links aside), as [relative path, bytes], in
    the order a walk that sorts each folder finds them; at most
    WORKSPACE_LISTED of them, and "more" when there are others (or the walk
    gave up after WORKSPACE_VISITS entries: the code may leave millions)."""
    files, visits, more = [], 0, False
    folders = [WORKSPACE]
    while folders and not more:
        folder = folders.pop()
        try:
            with os.scandir(folder) as found:
                items = sorted(found, key=lambda e: e.name)
        except OSError:
            continue
        subfolders = []
        for entry in items:
            visits += 1
            if visits > WORKSPACE_VISITS:
                more = True
                break
            if entry.name.startswith("."):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                if not (folder == WORKSPACE and entry.name == "output"):
                    subfolders.append(entry.path)
            elif stat.S_ISREG(info.st_mode):
                if len(files) == WORKSPACE_LISTED:
                    more = True
                    break
                files.append([os.path.relpath(entry.path, WORKSPACE), info.st_size])
        folders.extend(reversed(subfolders))
    return {"files": files, "more": more}


def checked_listing(raw):
    """The walk's listing, checked field by field: names are the code's data,
    so each is cut short and made valid UTF-8 (a name's undecodable bytes
    become U+FFFD)."""
    try:
        files = []
        for name, size in raw["files"][:WORKSPACE_LISTED]:
            if not isinstance(name, str):
                return None
            name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            files.append([name[:WORKSPACE_NAME_CHARS], max(int(size), 0)])
        return {"files": files, "more": bool(raw["more"])}
    except (KeyError, TypeError, ValueError):
        return None


def scan_outputs(artifact_cap, budget):
    try:
        if not stat.S_ISDIR(os.lstat(OUTPUT_DIR).st_mode):
            return {"outputs": False, "output_bytes": 0, "output_entries": 0,
                    "refused": ["output: not a folder"]}
    except FileNotFoundError:
        return {"outputs": False, "output_bytes": 0, "output_entries": 0, "refused": []}
    total = entries = 0
    refused = []
    folders = [OUTPUT_DIR]
    while folders:
        with os.scandir(folders.pop()) as found:
            items = list(found)
        for entry in items:
            entries += 1
            info = entry.stat(follow_symlinks=False)
            if stat.S_ISDIR(info.st_mode):
                folders.append(entry.path)
                continue
            if not stat.S_ISREG(info.st_mode):
                continue  # a link or a device travels as a header only
            name = os.path.relpath(entry.path, OUTPUT_DIR)
            if info.st_size > artifact_cap:
                reason = "larger than the %d MiB limit" % (artifact_cap >> 20)
            elif total + info.st_size > budget:
                reason = "the results add up to more than the work folder holds"
            else:
                total += info.st_size
                continue
            os.unlink(entry.path)
            if len(refused) < 20:
                refused.append("%s (%s): %s" % (name, size_words(info.st_size), reason))
    return {"outputs": entries > 0, "output_bytes": total, "output_entries": entries,
            "refused": refused}


def size_words(size):
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return "%d %s" % (size, unit) if unit == "bytes" else "%.1f %s" % (size, unit)
        size /= 1024.0


# --- The two ways a harness lives -----------------------------------------------------


def once(argv):
    """One program in a container of its own: run it, say it is done, then
    wait for the engine to copy the outputs and remove the container."""
    config, source, data_paths = parse_arguments(argv)
    protect_self()
    user = tuple(config["user"])
    child = Child(user)
    frame(b"S", b"-")
    job = {
        "user": user,
        "mode": config["mode"],
        "name": config["name"],
        "source": source,
        "datasets": data_paths,
        "read_choices": config.get("read_choices") or {},
    }
    done = run(child, job, config)
    done["token"] = "-"
    frame(b"D", json.dumps(done).encode())
    while True:
        time.sleep(3600)


def serve(argv):
    """A session container's first process: resident between runs, so a
    follow-up question pays for neither `docker exec` nor Python's start nor
    the auto-imports. The engine attaches to the container and writes requests
    to its stdin; each run is a forked child of this process, which has already
    imported pandas, numpy and matplotlib (when the image has them)."""
    config = json.loads(argv[2])
    protect_self()
    user = tuple(config["user"])
    # As the container's first process the kernel already shields it from
    # every signal of the container's processes it does not handle, and the
    # code's user may not signal it at all. The child gets Python's usual
    # SIGINT handler back.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    auto_imports()
    while True:
        # Forked before the request is read: the code's memory never holds it.
        child = Child(user)
        request = read_request(0)
        if request is None:
            # stdin closed: no request can ever come again. Podman closes it
            # when an attached client leaves (the engine's process ended). Ending
            # here would stop the container and empty its work folder; staying,
            # with nothing of the code's left running, lets the engine keep the
            # folder before it starts the container afresh.
            end_everything()
            idle_forever()
        try:
            token = str(request["token"])
            if request.get("op") == "reload":
                child.discard()
                end_everything()
                frame(b"S", token.encode())
                frame(b"D", json.dumps({"token": token, "status": 0}).encode())
                reload_self()
            job = {
                "user": user,
                "mode": request["mode"],
                "name": request["name"],
                "source": request["source"],
                "datasets": request["datasets"],
                "read_choices": request.get("read_choices") or {},
                "fresh_outputs": True,
            }
            limits = request["limits"]
        except Exception as exc:
            print("Sandpiper's harness got a request it can't read: %r" % exc, file=sys.stderr)
            child.discard()
            end_everything()
            continue
        frame(b"S", token.encode())
        done = run(child, job, limits)
        done["token"] = token
        frame(b"D", json.dumps(done).encode())
        # The next child is forked from this process: no trace of this request.
        del request, job, token, done


def idle_forever():
    """Process 1 with no more requests: it only reaps what is handed to it
    (a `docker exec`'d process's orphans) until the container is stopped."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            time.sleep(60)


def read_request(fd):
    """One request: its length in bytes on a line, then that much JSON. Read
    with exact sizes, never ahead, so a reload hands the next request over
    intact; None when stdin has closed."""
    header = b""
    while not header.endswith(b"\n"):
        byte = os.read(fd, 1)
        if not byte:
            return None
        header += byte
    try:
        remaining = int(header)
    except ValueError:
        return {}
    body = []
    while remaining:
        piece = os.read(fd, min(remaining, 1 << 20))
        if not piece:
            return None
        body.append(piece)
        remaining -= len(piece)
    try:
        return json.loads(b"".join(body))
    except ValueError:
        return {}


def reload_self():
    """Starts the harness afresh in this process, so packages installed since
    it started replace the modules it had preloaded. The harness's source is
    its own command line (`python3 -I -c SOURCE serve CONFIG`)."""
    with open("/proc/self/cmdline", "rb") as f:
        argv = [a.decode() for a in f.read().split(b"\0") if a]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable] + argv[1:])


def session_packages():
    """A session's package set, from the path the engine gave the container
    (read explicitly: an isolated Python ignores PYTHONPATH). The set is
    mounted read-only."""
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[0:0] = [p for p in paths if p not in sys.path]


if __name__ == "__main__":
    session_packages()
    sys.exit(serve(sys.argv) if sys.argv[1:2] == ["serve"] else once(sys.argv))
