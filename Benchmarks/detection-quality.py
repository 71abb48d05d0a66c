#!/usr/bin/env python3
"""Measures how well `exfilwatch replay` finds the simulator's injected attacks.

Usage (from the repository root; Python 3 standard library only):

    swift build -c release --product exfilwatch --scratch-path .build-quality
    Benchmarks/detection-quality.py                          # 5 scenarios x seeds 1..5, 30 d, 500 agents
    Benchmarks/detection-quality.py --days 10 --agents 60 --seeds 1      # a quick check
    Benchmarks/detection-quality.py --scenarios connected-app-exfil,spread-thin --seeds 1-3 \\
        --format sf-elf --replay-args '--warm-up 2d'

For every scenario and seed it runs `exfilwatch simulate` into
.build-quality-data/sims/<format>-d<days>-a<agents>/<scenario>-s<seed>/ (skipped when that
directory's labels.json already names the same scenario, seed, days, agents and format), then
`exfilwatch replay --sink jsonl:FILE DIR` with a fresh findings file (exit code 0: no findings,
1: findings, anything else is reported as an error), and scores the OCSF Detection Findings
against labels.json (attacks[0]):

* An emission names the attack when one of its flagged keys (`unmapped.exfilwatch.keys[].value`),
  or the top (first real) actor, client or source IP of its evidence, is the attack's client,
  one of its actors (name or id) or one of its source IPs. It matches when it is also near the
  attack in time: its `finding_info.first_seen_time` lies within [attack first event - 1 h,
  attack last event + 24 h], or (unless --strict-time) its evidence window
  [`window_start`, `window_end`) overlaps the attack's [first, last] event time. The second
  test is there because a 24 h window's first_seen_time is its earliest read, which for an
  actor with normal traffic can be up to a day before the attack started. An incident
  (distinct `finding_info.uid`) matches when any of its emissions does; the details say which
  test it passed.
* found: some incident matches. names attacker: a matching emission names the attack's client
  or one of its actors (not just an IP). time to detect: the earliest `time` of a matching
  emission minus the time of the attack's first bulk read (its first event, by the attack's
  client and one of its actors, with records >= 1000: the first bulk page, as `exfilwatch
  events` parses the day files; the COUNT() probes and the 200-row sample the connected app
  reads first do not count), in minutes.
* false findings: incidents that do not match (for `baseline`, every incident).

Prints a Markdown table (scenario, seed, found, names attacker, time to detect, false
findings, findings emitted, replay seconds), a summary line per scenario and one detail line
per incident (false findings first: keys, dimension, horizon, records against the baseline,
multiple, score, top actor/client/IP, and which labelled background activity it overlaps),
and writes the same to --output (default .build-quality-data/quality.md) and the raw numbers
to the same path with .json. The header records the git commit, the number of uncommitted
changes and the binary's version, since the detector changes between runs.

The binary (default .build-quality/release/exfilwatch; --build runs the swift build above
first) is copied into .build-quality-data/bin/ before the run, so a rebuild during a run does
not mix two detectors in one table.
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time

SCENARIOS = ["baseline", "connected-app-exfil", "compromised-agent", "low-and-slow", "spread-thin"]
BULK_RECORDS = 1000
HOUR_MS = 3_600_000
BEFORE_MS = HOUR_MS
AFTER_MS = 24 * HOUR_MS
PLACEHOLDERS = {"(other)", "(none)", ""}
IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
DAY_FILE = re.compile(r"(\d{4}-\d{2}-\d{2})\.(jsonl|csv)(\.zst|\.gz)?$")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---------------------------------------------------------------- small helpers


def log(message):
    print(message, file=sys.stderr, flush=True)


def iso_ms(text):
    """Epoch ms of an ISO 8601 UTC timestamp such as 2025-06-28T00:00:27.722Z."""
    if text is None:
        return None
    parsed = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return int(round(parsed.timestamp() * 1000))


def ms_iso(ms):
    if ms is None:
        return "-"
    moment = datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def ms_day(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc).strftime("%Y-%m-%d")


def parse_seeds(text):
    seeds = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part or ".." in part:
            low, high = re.split(r"\.\.|-", part, maxsplit=1)
            seeds.extend(range(int(low), int(high) + 1))
        else:
            seeds.append(int(part))
    return seeds


def run_capture(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, **kwargs)


def git_state():
    head = run_capture(["git", "-C", ROOT, "log", "-1", "--format=%h"]).stdout.strip() or "?"
    status = run_capture(["git", "-C", ROOT, "status", "--short"]).stdout
    dirty = len([line for line in status.splitlines() if line.strip()])
    return head, dirty


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fmt_minutes(value):
    return "-" if value is None else f"{value:.1f}"


def fmt_number(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.0f}" if abs(value) >= 100 else f"{value:.2f}"
    return str(value)


# ---------------------------------------------------------------- the steps


def prepare_binary(args, data):
    if args.build:
        command = ["swift", "build", "-c", "release", "--product", "exfilwatch",
                   "--scratch-path", ".build-quality"]
        log("building: " + " ".join(command))
        if subprocess.run(command, cwd=ROOT, stdout=sys.stderr).returncode != 0:
            sys.exit("build failed")
    if not os.path.exists(args.binary):
        sys.exit(f"no binary at {args.binary}; build it (or pass --build)")
    digest = sha256(args.binary)
    frozen_dir = os.path.join(data, "bin")
    os.makedirs(frozen_dir, exist_ok=True)
    frozen = os.path.join(frozen_dir, f"exfilwatch-{digest[:12]}")
    provenance_path = frozen + ".json"
    if not os.path.exists(frozen):
        # The tree's state when the binary is first seen: exact with --build, otherwise as
        # close as this script can tell (the binary's mtime says when it was linked).
        head, dirty = git_state()
        built = datetime.datetime.fromtimestamp(os.path.getmtime(args.binary), tz=datetime.timezone.utc)
        with open(provenance_path, "w") as file:
            json.dump({"commit": head, "uncommitted": dirty, "built": built.strftime("%Y-%m-%d %H:%M UTC"),
                       "exact": bool(args.build)}, file)
        shutil.copy2(args.binary, frozen + ".tmp")
        os.replace(frozen + ".tmp", frozen)
    try:
        with open(provenance_path) as file:
            provenance = json.load(file)
        source = (f"built {provenance['built']} from commit {provenance['commit']} "
                  f"+{provenance['uncommitted']} uncommitted"
                  + ("" if provenance.get("exact") else " (tree state when first used)"))
    except (OSError, ValueError, KeyError):
        source = "source unknown"
    version = run_capture([frozen, "--version"]).stdout.strip() or "?"
    return frozen, digest[:12], f"{version}, {source}"



def labels_match(path, scenario, seed, days, agents, fmt):
    try:
        with open(path) as file:
            labels = json.load(file)
    except (OSError, ValueError):
        return None
    wanted = {"scenario": scenario, "seed": seed, "days": days, "agents": agents, "format": fmt}
    if all(labels.get(key) == value for key, value in wanted.items()):
        return labels
    return None


def simulate(binary, sim_dir, scenario, seed, args):
    labels_path = os.path.join(sim_dir, "labels.json")
    labels = None if args.resimulate else labels_match(
        labels_path, scenario, seed, args.days, args.agents, args.format)
    if labels is not None:
        return labels, 0.0, True
    if os.path.isdir(sim_dir):
        shutil.rmtree(sim_dir)
    command = [binary, "simulate", "--scenario", scenario, "--seed", str(seed), "--days",
               str(args.days), "--agents", str(args.agents), "--format", args.format,
               "--out", sim_dir]
    started = time.monotonic()
    result = run_capture(command)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"simulate failed (exit {result.returncode}): {result.stderr.strip()}")
    labels = labels_match(labels_path, scenario, seed, args.days, args.agents, args.format)
    if labels is None:
        raise RuntimeError(f"simulate wrote no matching {labels_path}")
    return labels, elapsed, False


def day_files(sim_dir):
    files = {}
    for name in os.listdir(sim_dir):
        match = DAY_FILE.search(name)
        if match:
            files[match.group(1)] = os.path.join(sim_dir, name)
    return dict(sorted(files.items()))


def first_bulk_read(binary, sim_dir, attack, cache_path):
    """Epoch ms of the attack's first event with records >= BULK_RECORDS, from `events`."""
    key = json.dumps({"attack": attack, "bulk_records": BULK_RECORDS}, sort_keys=True)
    try:
        with open(cache_path) as file:
            cached = json.load(file)
        if cached.get("attack") == key:
            return cached["time"], cached["note"]
    except (OSError, ValueError):
        pass
    first = iso_ms(attack.get("firstEventTime"))
    last = iso_ms(attack.get("lastEventTime"))
    actors = set(attack.get("actors") or []) | set(attack.get("actorIds") or [])
    client = attack.get("client")
    found, note = None, ""
    if first is not None:
        start_day, end_day = ms_day(first), ms_day(last)
        for day, path in day_files(sim_dir).items():
            if day < start_day or day > end_day:
                continue
            process = subprocess.Popen([binary, "events", path], stdout=subprocess.PIPE,
                                       stderr=subprocess.DEVNULL, text=True)
            for line in process.stdout:
                if client and client not in line:
                    continue
                event = json.loads(line)
                if event.get("client") != client:
                    continue
                if event.get("actor") not in actors and event.get("actorId") not in actors:
                    continue
                if (event.get("records") or 0) >= BULK_RECORDS:
                    found = iso_ms(event["time"])
                    break
            process.stdout.close()
            process.kill()
            process.wait()
            if found is not None:
                break
    if found is None and first is not None:
        found, note = first, f"no attack event with >= {BULK_RECORDS} records; from first event"
    with open(cache_path, "w") as file:
        json.dump({"attack": key, "time": found, "note": note}, file)
    return found, note


def replay(binary, digest, sim_dir, findings_path, extra_args, rescore=False):
    """Runs replay into a fresh findings file (or, with rescore, reads the last run's)."""
    run_path = findings_path + ".run.json"
    if rescore:
        with open(run_path) as file:
            run = json.load(file)
        code, elapsed = run["exit"], run["seconds"]
        if run.get("binary") not in (None, digest):
            raise RuntimeError(f"findings came from binary {run.get('binary')}, not {digest}; "
                               f"pass --binary {os.path.join(os.path.dirname(binary), 'exfilwatch-' + run['binary'])}")
    else:
        for path in (findings_path, run_path):
            if os.path.exists(path):
                os.remove(path)
        command = [binary, "replay", *extra_args, "--sink", f"jsonl:{findings_path}", sim_dir]
        started = time.monotonic()
        with open(findings_path + ".stdout", "w") as out, open(findings_path + ".stderr", "w") as err:
            code = subprocess.run(command, stdout=out, stderr=err).returncode
        elapsed = time.monotonic() - started
        with open(run_path, "w") as file:
            json.dump({"exit": code, "seconds": elapsed, "binary": digest, "command": command}, file)
    with open(findings_path + ".stderr") as err:
        stderr = err.read()
    emissions = []
    if os.path.exists(findings_path):
        with open(findings_path) as file:
            for number, line in enumerate(file, 1):
                if line.strip():
                    try:
                        emissions.append(json.loads(line))
                    except ValueError as error:
                        raise RuntimeError(f"{findings_path}:{number}: not JSON: {error}")
    return code, elapsed, emissions, stderr


# ---------------------------------------------------------------- scoring


def exfil(emission):
    return (emission.get("unmapped") or {}).get("exfilwatch") or {}


def top_name(tallies, want_ip=False):
    for tally in tallies or []:
        name = tally.get("name") or ""
        if name in PLACEHOLDERS:
            continue
        if want_ip and not (IPV4.match(name) or ":" in name):
            continue
        return tally
    return None


def tally_values(tally):
    if tally is None:
        return []
    return [value for value in (tally.get("name"), tally.get("uid")) if value]


def key_values(key):
    value = key.get("value") or ""
    values = [value]
    if "+" in (key.get("dimension") or "") and "+" in value:
        values += value.split("+")
    return values


def named_kinds(emission, attack):
    """Which of the attack's principals ('actor', 'client', 'ip') the emission names."""
    actors = set(attack.get("actors") or []) | set(attack.get("actorIds") or [])
    clients = {attack.get("client")} - {None, ""}
    ips = set(attack.get("sourceIPs") or [])
    ux = exfil(emission)
    values = []
    for key in ux.get("keys") or []:
        values += key_values(key)
    values += tally_values(top_name(ux.get("actors")))
    values += tally_values(top_name(ux.get("clients")))
    values += tally_values(top_name(ux.get("source_ips"), want_ip=True))
    kinds = set()
    for value in values:
        if value in actors:
            kinds.add("actor")
        if value in clients:
            kinds.add("client")
        if value in ips:
            kinds.add("ip")
    return kinds


def group_incidents(emissions):
    incidents = {}
    for emission in emissions:
        uid = (emission.get("finding_info") or {}).get("uid") or "?"
        incidents.setdefault(uid, []).append(emission)
    for uid in incidents:
        incidents[uid].sort(key=lambda e: (e.get("time") or 0, exfil(e).get("revision") or 0))
    return incidents


def score_run(labels, emissions, bulk_time, strict_time=False):
    attack = (labels.get("attacks") or [None])[0]
    incidents = group_incidents(emissions)
    result = {"incidents": len(incidents), "emitted": len(emissions), "found": None,
              "names": None, "ttd_min": None, "false": [], "matched": [],
              "found_strict": None}
    if attack is None:
        result["false"] = list(incidents)
        return result, incidents
    first = iso_ms(attack.get("firstEventTime"))
    last = iso_ms(attack.get("lastEventTime"))
    low, high = first - BEFORE_MS, last + AFTER_MS
    earliest, names, found_strict = None, False, False
    for uid, incident in incidents.items():
        matched_kinds, tests = set(), set()
        for emission in incident:
            seen = (emission.get("finding_info") or {}).get("first_seen_time")
            kinds = named_kinds(emission, attack)
            if not kinds:
                continue
            ux = exfil(emission)
            strict = seen is not None and low <= seen <= high
            overlap = (not strict_time and ux.get("window_start") is not None
                       and ux.get("window_end") is not None
                       and ux["window_start"] <= last and ux["window_end"] > first)
            if not (strict or overlap):
                continue
            tests.add("first_seen" if strict else "window overlap")
            found_strict = found_strict or strict
            matched_kinds |= kinds
            if kinds & {"actor", "client"}:
                names = True
            moment = emission.get("time")
            if moment is not None and (earliest is None or moment < earliest):
                earliest = moment
        if matched_kinds:
            result["matched"].append((uid, sorted(matched_kinds), sorted(tests)))
        else:
            result["false"].append(uid)
    result["found"] = bool(result["matched"])
    result["found_strict"] = found_strict
    result["names"] = names
    if earliest is not None and bulk_time is not None:
        result["ttd_min"] = (earliest - bulk_time) / 60_000
    return result, incidents


def background_notes(labels, emission):
    """The days the evidence's reads span and the labelled unusual-but-normal activity on them."""
    background = labels.get("background") or {}
    ux = exfil(emission)
    first, last = ux.get("first_event_time"), ux.get("last_event_time")
    if first is None or last is None:
        return []
    days, day = [], datetime.date.fromisoformat(ms_day(first))
    while day.isoformat() <= ms_day(last):
        days.append(day)
        day += datetime.timedelta(days=1)
    notes = ["reads on " + ", ".join(d.strftime("%a %m-%d") for d in days)]
    surge = set(background.get("surgeDays") or [])
    month_end = set(background.get("monthEndExportDays") or [])
    for d in days:
        if d.isoformat() in surge:
            notes.append(f"surge day {d.strftime('%m-%d')}")
        if d.isoformat() in month_end:
            notes.append(f"month-end export day {d.strftime('%m-%d')}")
    principals = set()
    for key in ux.get("keys") or []:
        principals.update(key_values(key))
    for tally in (ux.get("actors") or [])[:1]:
        principals.update(tally_values(tally))
    if principals & set(background.get("integrationUsers") or []):
        notes.append("integration user")
    if principals & set(background.get("analysts") or []):
        notes.append("analyst")
    return notes


def describe_incident(labels, uid, incident, verdict):
    """One Markdown bullet with everything the lead needs to tune the thresholds."""
    strongest = max(incident, key=lambda e: (exfil(e).get("score") or 0))
    final = incident[-1]
    ux, fx = exfil(strongest), exfil(final)
    keys = "; ".join(
        f"{k.get('dimension')}={k.get('value')} [{','.join(k.get('horizons') or [])}]"
        for k in fx.get("keys") or [])
    activities = "/".join(str(e.get("activity_id")) for e in incident)
    severities = max((e.get("severity_id") or 0) for e in incident)
    severity_name = next((e.get("severity") for e in incident if e.get("severity_id") == severities), "?")
    top_actor = top_name(ux.get("actors"))
    top_client = top_name(ux.get("clients"))
    top_ip = top_name(ux.get("source_ips"), want_ip=True)

    def tally_text(tally):
        if tally is None:
            return "-"
        return f"{tally.get('name')} ({tally.get('records')} rec)"

    objects = ", ".join(f"{t.get('name')}:{t.get('records')}" for t in (ux.get("objects") or [])[:4])
    notes = background_notes(labels, strongest)
    first_info = incident[0].get("finding_info") or {}
    analytic = (first_info.get("analytic") or {}).get("name", "?")
    recent = ux.get("recent_window_records") or []
    lines = [
        f"- {verdict} `{uid}` {analytic}, {severity_name}, emissions {activities}, "
        f"raised {ms_iso(incident[0].get('time'))}, first seen {ms_iso(first_info.get('first_seen_time'))}"
        + (f" ({', '.join(notes)})" if notes else ""),
        f"  - keys: {keys or '-'}",
        f"  - strongest window: {ux.get('dimension')}={ux.get('key')} {ux.get('horizon')} "
        f"{ms_iso(ux.get('window_start'))}..{ms_iso(ux.get('window_end'))}, metric {ux.get('metric')}: "
        f"records {ux.get('records')} vs typical {fmt_number(ux.get('baseline_records'))}, "
        + (f"busiest {fmt_number(ux.get('busiest_records'))}, " if "busiest_records" in ux else "")
        + f"reads {ux.get('reads')} vs typical {fmt_number(ux.get('baseline_reads'))}, "
        f"multiple {ux.get('multiple')}, score {ux.get('score')}, "
        f"peers {'yes' if ux.get('judged_against_peers') else 'no'}",
        f"  - top actor {tally_text(top_actor)}, client {tally_text(top_client)}, "
        f"IP {tally_text(top_ip)}; objects {objects or '-'}; recent windows {recent[-8:]}",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run from anywhere; paths default to the repository root's .build-quality*.")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS),
                        help="comma-separated scenarios (default: all five)")
    parser.add_argument("--seeds", default="1-5", help="seeds, e.g. 1-5 or 1,3,7 (default 1-5)")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--format", default="sf-rtem", choices=["sf-rtem", "sf-elf"])
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build-quality/release/exfilwatch"))
    parser.add_argument("--build", action="store_true",
                        help="swift build the binary (scratch path .build-quality) first")
    parser.add_argument("--data", default=os.path.join(ROOT, ".build-quality-data"),
                        help="where simulations, findings and the frozen binary go")
    parser.add_argument("--output", default=None,
                        help="Markdown report (default DATA/quality.md); raw numbers go beside it as .json")
    parser.add_argument("--replay-args", default="",
                        help="extra replay options, e.g. '--warm-up 2d --horizon 5m:score=5'")
    parser.add_argument("--strict-time", action="store_true",
                        help="match on first_seen_time only, not on an evidence window overlapping the attack")
    parser.add_argument("--rescore", action="store_true",
                        help="do not replay: score the findings the last run left (after changing the scoring)")
    parser.add_argument("--resimulate", action="store_true", help="simulate even when labels match")
    args = parser.parse_args()

    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = [s for s in scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(unknown)} (known: {', '.join(SCENARIOS)})")
    seeds = parse_seeds(args.seeds)
    extra_args = shlex.split(args.replay_args)
    data = os.path.abspath(args.data)
    output = args.output or os.path.join(data, "quality.md")
    os.makedirs(data, exist_ok=True)

    head, dirty = git_state()
    binary, digest, version = prepare_binary(args, data)
    size = f"{args.format}-d{args.days}-a{args.agents}"
    sims = os.path.join(data, "sims", size)
    findings_dir = os.path.join(data, "findings", size)
    os.makedirs(sims, exist_ok=True)
    os.makedirs(findings_dir, exist_ok=True)
    started_at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    log(f"commit {head} (+{dirty} uncommitted), binary {digest} ({version}), {size}")

    rows, details, errors, notes = [], [], [], []
    for scenario in scenarios:
        for seed in seeds:
            name = f"{scenario}-s{seed}"
            sim_dir = os.path.join(sims, name)
            findings_path = os.path.join(findings_dir, name + ".jsonl")
            row = {"scenario": scenario, "seed": seed}
            try:
                labels, sim_seconds, reused = simulate(binary, sim_dir, scenario, seed, args)
                log(f"{name}: simulate {'reused' if reused else f'{sim_seconds:.1f} s'}")
                attack = (labels.get("attacks") or [None])[0]
                bulk_time, bulk_note = (None, "")
                if attack is not None:
                    bulk_time, bulk_note = first_bulk_read(
                        binary, sim_dir, attack, os.path.join(findings_dir, name + ".bulk.json"))
                code, seconds, emissions, stderr = replay(
                    binary, digest, sim_dir, findings_path, extra_args, args.rescore)
                row["replay_s"] = seconds
                row["exit"] = code
                if code not in (0, 1):
                    raise RuntimeError(
                        f"replay exit {code}: {stderr.strip().splitlines()[-5:] if stderr.strip() else ''}")
                if (code == 0) != (len(emissions) == 0):
                    errors.append(f"{name}: replay exit {code} but {len(emissions)} findings written")
                result, incidents = score_run(labels, emissions, bulk_time, args.strict_time)
                row.update(result)
                row["bulk_time"] = bulk_time
                row["attack_first"] = iso_ms(attack.get("firstEventTime")) if attack else None
                row["attack_last"] = iso_ms(attack.get("lastEventTime")) if attack else None
                row["attack_records"] = attack.get("records") if attack else None
                if bulk_note:
                    notes.append(f"{name}: {bulk_note}")
                stat_line = stderr.strip().splitlines()[-1] if stderr.strip() else ""
                row["replay_stderr_last"] = stat_line
                header = (f"### {name}: {len(incidents)} incidents, {len(emissions)} emissions"
                          + (f"; attack {attack.get('kind')} {ms_iso(row['attack_first'])}.."
                             f"{ms_iso(row['attack_last'])}, first bulk read {ms_iso(bulk_time)}, "
                             f"{attack.get('records')} records, actors {len(attack.get('actors') or attack.get('actorIds') or [])}, "
                             f"client {attack.get('client')}, IPs {', '.join(attack.get('sourceIPs') or [])}"
                             if attack else ""))
                block = [header]
                for uid in result["false"]:
                    block.append(describe_incident(labels, uid, incidents[uid], "FALSE"))
                for uid, kinds, tests in result["matched"]:
                    block.append(describe_incident(
                        labels, uid, incidents[uid],
                        f"MATCH names {'+'.join(kinds)}, in time by {' and '.join(tests)};"))
                details.append("\n".join(block))
                log(f"{name}: replay {seconds:.1f} s exit {code}, {len(emissions)} emissions, "
                    f"{len(incidents)} incidents, found {row['found']}, false {len(result['false'])}")
            except Exception as error:  # noqa: BLE001 - a failed run is reported, not fatal
                row["error"] = str(error)
                errors.append(f"{name}: {error}")
                log(f"{name}: ERROR {error}")
            rows.append(row)

    report = render(rows, scenarios, args, head, dirty, digest, version, started_at, extra_args,
                    details, errors, notes)
    print(report)
    with open(output, "w") as file:
        file.write(report + "\n")
    json_path = os.path.splitext(output)[0] + ".json"
    with open(json_path, "w") as file:
        json.dump({"commit": head, "uncommitted": dirty, "binary": digest, "version": version,
                   "days": args.days, "agents": args.agents, "format": args.format,
                   "replay_args": extra_args, "rows": rows}, file, indent=1)
    log(f"wrote {output} and {json_path}")
    return 1 if any("error" in row for row in rows) else 0


def yes_no(value):
    return "-" if value is None else ("yes" if value else "no")


def render(rows, scenarios, args, head, dirty, digest, version, started_at, extra_args, details,
           errors, notes):
    out = [
        f"Detection quality, {started_at}: commit {head}, {dirty} uncommitted changes "
        f"(git status --short) at run time; binary {digest} ({version})",
        f"{args.format}, {args.days} days, {args.agents} agents"
        + (f", replay options: {' '.join(extra_args)}" if extra_args else ", default replay options")
        + ("; rescored from the last run's findings (replay not rerun, seconds are that run's)"
           if args.rescore else ""),
        "",
        "| scenario | seed | found | names attacker | time to detect (min) | false findings | findings emitted | replay seconds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if "error" in row:
            out.append(f"| {row['scenario']} | {row['seed']} | ERROR | | | | | "
                       f"{row.get('replay_s', 0):.1f} |")
            continue
        out.append(
            f"| {row['scenario']} | {row['seed']} | {yes_no(row['found'])} | {yes_no(row['names'])} | "
            f"{fmt_minutes(row['ttd_min'])} | {len(row['false'])} | {row['emitted']} | "
            f"{row['replay_s']:.1f} |")
    out.append("")
    for scenario in scenarios:
        runs = [r for r in rows if r["scenario"] == scenario and "error" not in r]
        failed = len([r for r in rows if r["scenario"] == scenario and "error" in r])
        if not runs:
            out.append(f"- {scenario}: no successful runs ({failed} errors)")
            continue
        false_total = sum(len(r["false"]) for r in runs)
        replay_median = statistics.median(r["replay_s"] for r in runs)
        parts = []
        if scenario != "baseline":
            found = sum(1 for r in runs if r["found"])
            names = sum(1 for r in runs if r["names"])
            ttds = [r["ttd_min"] for r in runs if r["ttd_min"] is not None]
            parts.append(f"found {found}/{len(runs)}")
            strict = sum(1 for r in runs if r["found_strict"])
            if strict != found:
                parts.append(f"({strict}/{len(runs)} by the first_seen_time test alone)")
            parts.append(f"names attacker {names}/{len(runs)}")
            if ttds:
                parts.append(f"time to detect median {statistics.median(ttds):.1f} min "
                             f"(min {min(ttds):.1f}, max {max(ttds):.1f})")
        parts.append(f"false findings {false_total} ({false_total / len(runs):.1f} per run)")
        parts.append(f"findings emitted {sum(r['emitted'] for r in runs)}")
        parts.append(f"replay median {replay_median:.1f} s")
        if failed:
            parts.append(f"{failed} errors")
        out.append(f"- {scenario}: " + ", ".join(parts))
    if errors:
        out += ["", "Problems:"] + [f"- {error}" for error in errors]
    if notes:
        out += ["", "Notes:"] + [f"- {note}" for note in notes]
    out += ["", "## Incidents (false findings first in each run)", ""]
    out += details
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
