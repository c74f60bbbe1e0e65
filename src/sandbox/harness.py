"""Sandpiper's harness: runs model-written code (analysis.py) inside the sandbox.

Mounted read-only at /sandpiper/harness.py, so the code cannot rewrite it.
The code is compiled from its own file name, never spliced into a template, so
line numbers in errors are the lines of the model's code.

    python3 /sandpiper/harness.py /sandpiper/analysis.py [/data/a.csv ...]

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

import json
import os
import sys
import traceback

CODE_NAME = "analysis.py"
OUTPUT_DIR = os.environ.get("SANDPIPER_OUTPUT_DIR", "/workspace/output")
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


def main():
    code_path, data_paths = sys.argv[1], sys.argv[2:]
    with open(code_path, encoding="utf-8", errors="replace") as f:
        source = f.read()
    source_lines = source.splitlines()
    namespace = {"__name__": "__main__", "__file__": CODE_NAME}
    namespace.update(auto_imports())
    namespace.update(dataset_variables(data_paths))

    try:
        code = compile(source, CODE_NAME, "exec")
    except SyntaxError as exc:
        report(exc, exc.lineno, context_around(source_lines, exc.lineno))
        return 1
    try:
        exec(code, namespace)
    except SystemExit as exc:
        save_open_figures()
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1
    except BaseException as exc:  # KeyboardInterrupt and MemoryError are the code's too
        save_open_figures()
        line, context = code_frame(exc.__traceback__, source_lines)
        report(exc, line, context)
        return 1
    save_open_figures()
    return 0


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)
    sys.exit(main())
