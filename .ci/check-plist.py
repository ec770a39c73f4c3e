#!/usr/bin/env python3
"""Checks launchd property lists as launchd would read them (plutil is not
on Linux): each file must parse as a plist (XML or binary), hold a dict
with the keys a LaunchDaemon needs, of the types launchd.plist(5) gives
them, and no key launchd does not know (it ignores a misspelt key without
a word, and the daemon then never starts at boot or is never relaunched).

Usage: .ci/check-plist.py FILE.plist...
"""
import plistlib
import xml.parsers.expat
import sys

# The keys this project's LaunchDaemon may use, with their types.
KNOWN = {
    "Label": str,
    "ProgramArguments": list,
    "UserName": str,
    "GroupName": str,
    "RunAtLoad": bool,
    "KeepAlive": (bool, dict),
    "ThrottleInterval": int,
    "ExitTimeOut": int,
    "StandardErrorPath": str,
    "StandardOutPath": str,
    "WorkingDirectory": str,
    "EnvironmentVariables": dict,
    "ProcessType": str,
}


def problems(path):
    try:
        with open(path, "rb") as f:
            doc = plistlib.load(f)
    except (OSError, plistlib.InvalidFileException, ValueError, xml.parsers.expat.ExpatError) as e:
        return [f"does not parse as a property list: {e}"]
    if not isinstance(doc, dict):
        return [f"top level is a {type(doc).__name__}, want a dict"]
    out = []
    for key, value in doc.items():
        want = KNOWN.get(key)
        if want is None:
            out.append(f"key {key!r}: not a launchd key this daemon uses (misspelt?)")
        elif isinstance(value, bool) and want is int:
            out.append(f"key {key!r}: a boolean, want an integer")
        elif not isinstance(value, want):
            out.append(f"key {key!r}: a {type(value).__name__}, want {want}")
    for key in ("Label", "ProgramArguments", "RunAtLoad", "KeepAlive"):
        if key not in doc:
            out.append(f"no {key}")
    if doc.get("Label") != "odailies-uploader":
        out.append(f"Label {doc.get('Label')!r}, want 'odailies-uploader'")
    args = doc.get("ProgramArguments")
    if isinstance(args, list):
        if not all(isinstance(a, str) for a in args):
            out.append("ProgramArguments: every argument must be a string")
        elif len(args) != 4 or args[1:3] != ["run", "-config"]:
            out.append(f"ProgramArguments {args}: want [program, 'run', '-config', config]")
        else:
            for what, p in (("program", args[0]), ("config", args[3])):
                if not p.startswith("/"):
                    out.append(f"ProgramArguments: {what} {p!r} is not an absolute path (a LaunchDaemon starts in /)")
    for key in ("RunAtLoad", "KeepAlive"):
        if key in doc and doc[key] is not True:
            out.append(f"{key} is {doc[key]!r}, want true (start at boot, relaunch on exit)")
    for key in ("StandardErrorPath", "StandardOutPath", "WorkingDirectory"):
        if isinstance(doc.get(key), str) and not doc[key].startswith("/"):
            out.append(f"{key} {doc[key]!r}: not an absolute path")
    for key in ("ThrottleInterval", "ExitTimeOut"):
        v = doc.get(key)
        if isinstance(v, int) and not isinstance(v, bool) and v <= 0:
            out.append(f"{key} {v}: want more than 0 seconds")
    return out


def main(paths):
    if not paths:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        found = problems(path)
        for p in found:
            print(f"FAIL: {path}: {p}", file=sys.stderr)
        if found:
            failed += 1
        else:
            print(f"{path}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
