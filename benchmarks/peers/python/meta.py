#!/usr/bin/env python3
"""Print, as JSON, what a peers.sh run was: date, command, commit, CPU, mode.

Usage: meta.py REPO_ROOT QUICK(0|1) ONNXRUNTIME_VERSION "ARGS"
"""
import datetime
import json
import os
import subprocess
import sys


def sh(command):
    result = subprocess.run(command, shell=True, capture_output=True, text=True)
    return result.stdout.strip() or "?"


def main(argv):
    root, quick, ort_version, args = argv[1], argv[2] == "1", argv[3], argv[4]
    meta = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "benchmarks/peers.sh" + (" " + args if args else ""),
        "git": sh("git -C '%s' describe --always --dirty" % root),
        "cpu": sh("lscpu | sed -n 's/^Model name: *//p'"),
        "cores": os.cpu_count(),
        "mode": "quick (a smoke run: its numbers are not results)" if quick else (
            "full, JMH " + os.environ["PEERS_JMH_RUN"] if os.environ.get("PEERS_JMH_RUN")
            else "full"),
        "onnxruntime": ort_version,
    }
    json.dump(meta, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv)
