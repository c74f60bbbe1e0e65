"""Sandpiper's install step, run by the install container (network on, no
dataset, no model code), as root so it can write the package store:

    python3 -c <this file> '<request as JSON>'

The store is one Docker volume shared by every session:

    /sandpiper-store/cache/{uv,pip}   wheel and HTTP caches
    /sandpiper-store/sets/<key>/      installed package sets, never changed once built
    /sandpiper-store/sessions/<name>  a link to the set that session uses

A set's key names the image and every package the session asked for, so a
second session asking for the same packages gets the set the first one built,
with nothing to download, unpack or compile. Any other request starts from the
largest set already built for a part of it (a hard-linked copy: instant, no
space) and installs only the rest on top.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import uuid

STORE = "/sandpiper-store"
# In each set: the image it was built for and the requests it satisfies.
SET_FILE = ".sandpiper-set.json"


def main():
    request = json.loads(sys.argv[1])
    sets = os.path.join(STORE, "sets")
    sessions = os.path.join(STORE, "sessions")
    for folder in (sets, sessions):
        os.makedirs(folder, mode=0o755, exist_ok=True)
    target = os.path.join(sets, request["key"])
    if os.path.isdir(target):
        os.utime(target)  # recently used: garbage collection keeps it
        print("SANDPIPER-SET reused %s" % request["key"], flush=True)
    else:
        status = build(sets, target, request)
        if status != 0:
            return status
    point(sessions, request["session"], request["key"])
    return 0


def build(sets, target, request):
    building = os.path.join(sets, ".build-" + uuid.uuid4().hex)
    parent, has = best_parent(sets, request)
    if parent:
        # Hard links: instant, and the parent set stays as it was, because
        # installers replace files (a new inode) rather than write into them.
        subprocess.run(["cp", "-al", parent, building], check=True)
        os.remove(os.path.join(building, SET_FILE))
    else:
        os.makedirs(building, mode=0o755)
    wanted = [r for r in request["all"] if r not in has]
    status = install(building, wanted) if wanted else 0
    if status != 0:
        shutil.rmtree(building, ignore_errors=True)
        return status
    with open(os.path.join(building, SET_FILE), "w") as f:
        json.dump({"image": request["image"], "requests": request["all"]}, f)
    try:
        os.rename(building, target)
        print("SANDPIPER-SET built %s" % request["key"], flush=True)
    except OSError:
        # Another install built the same set meanwhile: theirs is as good.
        shutil.rmtree(building, ignore_errors=True)
    return 0


def best_parent(sets, request):
    """The set, built for this image, whose requests are all among ours and
    that holds the most distributions (the most work already done)."""
    best, best_has, best_size = None, [], 0
    wanted = set(request["all"])
    for name in os.listdir(sets):
        folder = os.path.join(sets, name)
        try:
            with open(os.path.join(folder, SET_FILE)) as f:
                described = json.load(f)
        except (OSError, ValueError):
            continue  # being built, or not a set
        has = described.get("requests", [])
        if described.get("image") != request["image"] or not set(has) <= wanted:
            continue
        size = sum(1 for entry in os.listdir(folder) if entry.endswith(".dist-info"))
        if size > best_size:
            best, best_has, best_size = folder, has, size
    return best, best_has


def install(folder, wanted):
    """uv when the image has it (it hard-links from its cache, which lives on
    the same volume), pip otherwise. Wheels only: no package's own setup code
    runs. The requirements are arguments after `--`, never options."""
    if shutil.which("uv"):
        command = [
            "uv", "pip", "install", "--python", "python3", "--target", folder,
            "--cache-dir", os.path.join(STORE, "cache", "uv"), "--only-binary", ":all:",
            "--compile-bytecode", "--link-mode", "hardlink", "--no-progress",
        ]
    else:
        command = [
            sys.executable, "-m", "pip", "install", "--target", folder, "--upgrade",
            "--only-binary=:all:", "--cache-dir", os.path.join(STORE, "cache", "pip"),
            "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
            "--root-user-action=ignore",
            # pip's default of 5 retries, each waiting out a DNS time-out, keeps
            # an offline user waiting a minute for an answer.
            "--retries", "1",
        ]
    sys.stdout.flush()
    return subprocess.call(command + ["--"] + list(wanted))


def point(sessions, session, key):
    """Switches the session's link to the set in one step (a rename), so a run
    never sees half of one set and half of another."""
    link = os.path.join(sessions, session)
    fresh = "%s.%s" % (link, uuid.uuid4().hex)
    os.symlink(os.path.join("..", "sets", key), fresh)
    os.replace(fresh, link)


def collect_garbage(request):
    """Removes links of sessions that no longer exist, then sets no link uses
    and no install used for `keep_days` (a later session may still want them)."""
    sets = os.path.join(STORE, "sets")
    sessions = os.path.join(STORE, "sessions")
    live = set(request["live_sessions"])
    used = set()
    for name in os.listdir(sessions) if os.path.isdir(sessions) else []:
        link = os.path.join(sessions, name)
        if name not in live:
            os.remove(link)
            print("SANDPIPER-GC link %s" % name)
            continue
        used.add(os.path.basename(os.readlink(link)))
    cutoff = time.time() - request["keep_days"] * 86400
    for name in os.listdir(sets) if os.path.isdir(sets) else []:
        folder = os.path.join(sets, name)
        if name in used or os.stat(folder).st_mtime > cutoff:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        print("SANDPIPER-GC set %s" % name)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["gc"]:
        sys.exit(collect_garbage(json.loads(sys.argv[2])))
    sys.exit(main())
