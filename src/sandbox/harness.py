"""Sandpiper's harness: runs model-written code (analysis.py) inside the sandbox.

Started as the container's first process, from the command line, so nothing the
code can write replaces it. An ephemeral run's container gets its program there:

    python3 -c <this file> MODE NAME CHUNKS <chunk>... -- [/data/a.csv ...]

A session container's harness stays resident and takes one run after another
from its stdin (see `serve`):

    python3 -c <this file> serve

MODE is "code" (model-written code: the helpers below) or "script" (one of
Sandpiper's own programs, such as the Quick profile: run as it is, with the
datasets as its arguments). The source arrives in CHUNKS pieces, because one
command-line argument may hold at most 128 KiB. It is compiled under its own
name, never spliced into a template, so line numbers in errors are its own.

The code runs in a forked child. The parent waits for it, then prints the
"done" marker the engine waits for (on stdout and stderr) and stays alive: the work folder is a tmpfs
volume that only exists while the container runs, and the engine copies the
output folder out of it before removing the container. Running the code in a
child also means os._exit() or the kernel's out-of-memory killer ending the
code still leaves the harness to say so.

What the code gets, as the design notes promised the model:
  - auto-imports: pd, np, plt, sns when installed, plus os, sys, json, math, re,
    csv, datetime, statistics;
  - dataset variables: file_1, file_2, ... and main_file (the first one);
  - matplotlib under Agg: plt.show() saves instead of blocking, and figures still
    open at the end are saved to the output folder.

On an exception it prints the error type, message, line, code context, the
traceback and debug information to stderr, then one machine-readable line
`SANDPIPER-ERROR {json}` that the engine reads, and exits 1.
"""

import importlib
import json
import linecache
import os
import signal
import sys
import time
import traceback

CODE_NAME = "analysis.py"
OUTPUT_DIR = os.environ.get("SANDPIPER_OUTPUT_DIR", "/workspace/output")
DONE_MARKER = "\x1eSANDPIPER-DONE"
START_MARKER = "\x1eSANDPIPER-START"
_saved_figures = set()


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
        "%s%4d | %s" % ("->" if n == line else "  ", n, source_lines[n - 1].rstrip())
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
    """The seed's failure report, then the line the engine reads."""
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
    payload = {
        "type": type(exc).__name__,
        "message": str(exc)[:2000],
        "line": line,
        "context": context,
    }
    print("SANDPIPER-ERROR " + json.dumps(payload), file=err, flush=True)


def run_code(name, source, data_paths):
    """Model-written code: the seed's helpers, structured error reports."""
    source_lines = source.splitlines()
    namespace = {"__name__": "__main__", "__file__": name}
    namespace.update(auto_imports())
    namespace.update(dataset_variables(data_paths))
    if "load_data" in namespace and data_paths:
        read, first = namespace["load_data"], data_paths[0]
        # load_data() with no file reads main_file.
        namespace["load_data"] = lambda path=None, sheet=None: read(first if path is None else path, sheet=sheet)
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
    mode, name, chunks = argv[1], argv[2], int(argv[3])
    source = "".join(argv[4 : 4 + chunks])
    rest = argv[4 + chunks :]
    data_paths = rest[1:] if rest[:1] == ["--"] else rest
    return mode, name, source, data_paths


def run_child(mode, name, source, data_paths):
    """In the forked child: run the code and end with its status."""
    # Tracebacks show source lines from linecache; the code has no file on disk.
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    status = 1
    try:
        runner = run_code if mode == "code" else run_script
        status = runner(name, source, data_paths)
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(status)


def clear_outputs():
    import shutil

    shutil.rmtree(OUTPUT_DIR, ignore_errors=True)


def has_outputs():
    """1 when the output folder holds anything: the engine copies it only then."""
    try:
        with os.scandir(OUTPUT_DIR) as entries:
            return int(any(True for _ in entries))
    except OSError:
        return 0


def announce(marker, *fields):
    """A harness line on both streams: Docker forwards them independently, so
    only the marker arriving on each tells the engine where the run's output
    starts or ends on that stream."""
    line = " ".join([marker] + [str(f) for f in fields])
    for stream in (sys.stdout, sys.stderr):
        # Starts with a newline in case the code's last line did not end; the
        # engine drops that newline when the code's output did end its line.
        stream.write("\n%s\n" % line)
        stream.flush()


def wait_for(child):
    """The child's exit status, in the shell's terms (128 + N when killed by N).
    As the container's first process the harness also inherits whatever the
    code left running in the background: reap those too, or they stay zombies."""
    while True:
        try:
            pid, wait_status = os.waitpid(-1, 0)
        except ChildProcessError:
            return 1
        if pid == child:
            status = os.waitstatus_to_exitcode(wait_status)
            return 128 - status if status < 0 else status


def run_forked(mode, name, source, data_paths, resident=False):
    """Runs the program in a forked child and returns its exit status. A
    resident harness then ends whatever the program left running."""
    sys.stdout.flush()
    sys.stderr.flush()
    child = os.fork()
    if child == 0:
        # Its own process group, so whatever it starts can be ended with it.
        os.setpgid(0, 0)
        # The code must never read what the engine sends the harness.
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        # Packages installed since a resident harness started must be importable.
        importlib.invalidate_caches()
        run_child(mode, name, source, data_paths)
    status = wait_for(child)
    if resident:
        end_stragglers(child)
    return status


def main():
    """One program in a container of its own: run it, announce the end, then
    wait for the engine to copy the outputs and remove the container."""
    mode, name, source, data_paths = parse_arguments(sys.argv)
    token = os.environ.pop("SANDPIPER_DONE_TOKEN", "")
    os.makedirs(OUTPUT_DIR, exist_ok=True)
    status = run_forked(mode, name, source, data_paths)
    if not token:
        return status
    announce(DONE_MARKER, token, status, has_outputs())
    while True:
        time.sleep(3600)


def serve():
    """A session container's first process: resident between runs, so a
    follow-up question pays for neither `docker exec` nor Python's start nor
    the auto-imports. The engine attaches to the container and writes requests
    to its stdin; each run is a forked child of this process, which has already
    imported pandas, numpy and matplotlib (when the image has them)."""
    # As the container's first process the kernel already shields it from
    # every signal the code could send it, except those it handles: Python
    # handles SIGINT. The child gets Python's usual handler back.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    auto_imports()
    while True:
        request = read_request(0)
        if request is None:
            return 0  # stdin closed: no request can ever come again
        try:
            token = request["token"]
            if request.get("op") == "reload":
                announce(START_MARKER, token)
                announce(DONE_MARKER, token, 0, 0)
                reload_self()
            mode, name = request["mode"], request["name"]
            source, data_paths = request["source"], request["datasets"]
        except Exception as exc:
            print("Sandpiper's harness got a request it can't read: %r" % exc, file=sys.stderr)
            continue
        announce(START_MARKER, token)
        clear_outputs()
        os.makedirs(OUTPUT_DIR, exist_ok=True)
        status = run_forked(mode, name, source, data_paths, resident=True)
        announce(DONE_MARKER, token, status, has_outputs())


def end_stragglers(group):
    """Nothing a run started outlives it: a background process left running
    would otherwise write into the next run's output. First the run's process
    group; then what escaped it (setsid) was reparented to this process, the
    container's first: end every child of ours (`docker exec`'d processes have
    no parent in here and stay)."""
    try:
        os.killpg(group, signal.SIGKILL)
    except OSError:
        pass
    me = os.getpid()
    for _ in range(10):  # an escaped straggler may fork while we look
        found = False
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % entry) as f:
                    stat = f.read()
                parent = int(stat[stat.rindex(")") + 2 :].split()[1])
                if parent == me:
                    os.kill(int(entry), signal.SIGKILL)
                    found = True
            except (OSError, ValueError, IndexError):
                pass
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
        if not found:
            return


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
    its own command line (`python3 -c SOURCE serve`)."""
    with open("/proc/self/cmdline", "rb") as f:
        argv = [a.decode() for a in f.read().split(b"\0") if a]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable] + argv[1:])


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    sys.exit(serve() if sys.argv[1:] == ["serve"] else main())
