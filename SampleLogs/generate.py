#!/usr/bin/env python3
"""Generate ExfilWatch's bundled sample logs (deterministic; stdlib only, Python 3.11+).

Scenario: one Salesforce org of an airline contact centre, 2025-06-28T00:00Z to 2025-07-01T00:00Z.
* 40 agents (a.nguyen@contact.example-air.com, ...) work 08:00-18:00 Manila time (00:00-10:00 UTC),
  fewer at the weekend (28-29 June). Their console's CTI component looks callers up via the SOAP
  Partner API: Contact/Case/Account queries of 1-50 rows, from a few IPs in 203.0.113.0/24.
* A nightly ETL user (etl.integration@example-air.com, client vendor/etl_sync, own connected app)
  reads 20k-60k changed Contacts at 02:00 UTC in 2000-row Query + QueryMore pages.
* Attack, Monday 30 June: agent m.santos was talked into authorising a look-alike "Data Loader"
  connected app (a ConnectedAppId never seen before). From 09:41:07.123 UTC, from 198.51.100.23,
  user agent python-requests/2.32.4, client DataLoaderPartnerUI/62.0.0, the attacker runs three
  SELECT COUNT() probes and a 200-row test SELECT, then pulls every Contact, Account and Case
  (600,753 rows) in 2000-row Query/QueryMore pages until 11:41 UTC.

RowsProcessed (RTEM) and ROWS_PROCESSED (ELF) are the running total of the query so far (cf. the
AppOmni ApiEvent sample: a QueryMore with 1000364.0); RowsReturned is the page size. Summing
RowsProcessed over pages over-counts: take the max per query (SessionKey + Query).

Outputs, next to this script:
  salesforce-rtem/ApiEvent-2025-06-28_30.jsonl.zst  ApiEvent objects, one zstd frame per UTC day
  salesforce-elf/API-2025-06-30.csv.gz              ELF "API" CSV of 30 June as two gzip members
                                                    (hours 00-10 and 11-23: split mid-attack)
The ELF file also has Salesforce-internal calls (CLIENT_IP "Salesforce.com IP", API_VERSION 9998.0)
that ApiEvent does not capture. Compressed bytes depend on the zstd/gzip versions; the decompressed
text does not. Usage: python3 SampleLogs/generate.py
"""
import csv
import io
import json
import random
import subprocess
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

OUT = Path(__file__).resolve().parent
START = datetime(2025, 6, 28, tzinfo=timezone.utc)
DAYS = 3
ELF_DAY = 2                      # index of 2025-06-30
MS_M, MS_H, DAY = 60_000, 3_600_000, 86_400_000             # times are int ms since START
rng = random.Random(20250630)
ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
B64 = ALNUM + "+/"


def rand_str(n, alphabet=ALNUM):
    return "".join(rng.choice(alphabet) for _ in range(n))


def sf_id(prefix):
    """18-character Salesforce id: 15-char id + the real case-checksum suffix."""
    id15 = prefix + "Hs00000" + rand_str(5)
    suffix = ""
    for i in range(0, 15, 5):
        bits = sum(1 << j for j, c in enumerate(id15[i:i + 5]) if c.isupper())
        suffix += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits]
    return id15 + suffix


ORG_ID = sf_id("00D")
CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
          "(KHTML, like Gecko) Chrome/137.0.0.0 Safari/537.36")
SURNAMES = """nguyen santos reyes cruz bautista ocampo garcia mendoza torres tomas andres castillo
flores villanueva ramos aquino navarro gonzales lopez fernandez rivera morales domingo santiago
manalo pascual salazar diaz mercado soriano lim tan chua dizon velasco aguilar delrosario
valdez tolentino sison""".split()
INITIALS = "amjrckelnpdgtsbvfhij"
OFFICE_IPS = ["203.0.113.10", "203.0.113.11"]
HOME_IPS = ["203.0.113.57", "203.0.113.88", "203.0.113.141"]


def actor(username, **kw):
    return dict(dict(username=username, user_id=sf_id("005"), api_type="SOAP Partner",
                     api_version=64.0, client="vendor/cti_console", app_id=None,
                     application="Contact Centre Console", user_agent=CHROME), **kw)


AGENTS = [actor(f"{INITIALS[i % 20]}.{s}@contact.example-air.com",
                ip=rng.choice(OFFICE_IPS) if rng.random() < 0.8 else rng.choice(HOME_IPS))
          for i, s in enumerate(SURNAMES)]
VICTIM = next(a for a in AGENTS if a["username"].startswith("m.santos@"))
ETL = actor("etl.integration@example-air.com", ip="192.0.2.40", api_type="SOAP Enterprise",
            client="vendor/etl_sync", app_id=sf_id("0H4"), application="ETL Sync",
            user_agent="etl-sync/3.8.2 (Java/17.0.11)")
ATTACKER = dict(VICTIM, ip="198.51.100.23", api_version=62.0, client="DataLoaderPartnerUI/62.0.0",
                app_id=sf_id("0H4"), application="Data Loader", user_agent="python-requests/2.32.4")
INTERNAL_USER_ID = sf_id("005")  # "Automated Process": ELF-only Salesforce-internal calls

events = []                      # neutral form, rendered to both formats below


def session(a):
    return dict(a, session_key=rand_str(16, B64), login_key=rand_str(16, B64),
                login_history_id=sf_id("0Ya"))


def emit(s, ms, entity, soql, processed, returned, total, op="Query", elapsed=None):
    events.append(dict(s, ms=int(ms), entity=entity, soql=soql, processed=processed,
                       returned=returned, total=total, op=op, event_id=str(uuid.UUID(
                           int=rng.getrandbits(128), version=4)),
                       elapsed=elapsed or rng.randint(12, 180)))


def paged_read(s, ms, entity, soql, total, gap_ms, page=2000):
    """One query read in full: Query then QueryMore pages; returns the time after the last page."""
    done = 0
    while done < total:
        n = min(page, total - done)
        done += n
        emit(s, ms, entity, soql, done, n, total, "Query" if done == n else "QueryMore",
             rng.randint(300, 1500))
        ms += rng.randint(*gap_ms)
    return ms


def agent_lookup(s, ms):
    """One customer interaction: find the caller, then maybe their cases and account."""
    if rng.random() < 0.6:
        where = f"Phone LIKE '%{rng.randint(0, 9999):04d}'"
    else:
        where = f"LastName = '{rng.choice(SURNAMES).title()}'"
    n = min(50, 1 + int(rng.expovariate(1 / 6)))
    emit(s, ms, "Contact", "SELECT Id, Name, Email, Phone, Birthdate, Frequent_Flyer_Number__c "
         f"FROM Contact WHERE {where} LIMIT 50", n, n, n)
    if rng.random() < 0.7:
        ms += rng.randint(4_000, 40_000)
        n = rng.randint(1, 12)
        emit(s, ms, "Case", "SELECT Id, CaseNumber, Subject, Status, CreatedDate FROM Case "
             f"WHERE ContactId = '{sf_id('003')}' ORDER BY CreatedDate DESC LIMIT 20", n, n, n)
    if rng.random() < 0.25:
        ms += rng.randint(5_000, 60_000)
        n = rng.randint(1, 3)
        emit(s, ms, "Account", "SELECT Id, Name, Loyalty_Tier__c FROM Account "
             f"WHERE Id = '{sf_id('001')}'", n, n, n)
    return ms


def agent_shifts():
    for day in range(DAYS):
        base = day * DAY
        on_shift = AGENTS[:] if day == ELF_DAY else rng.sample(AGENTS, 22 if day == 0 else 18)
        if VICTIM not in on_shift:
            on_shift.append(VICTIM)
        for a in on_shift:
            s = session(a)
            ms = base + rng.randint(0, 60) * MS_M + rng.randint(0, 59_999)
            end = min(base + 10 * MS_H, ms + rng.randint(480, 540) * MS_M)
            if a is VICTIM and day == ELF_DAY:                # on shift when "IT support" calls
                ms, end = base + MS_H + rng.randint(0, 59_999), base + 10 * MS_H
            lunch = base + rng.randint(210, 270) * MS_M       # 11:30-12:30 Manila
            while ms < end:
                if lunch <= ms < lunch + 45 * MS_M:
                    ms = lunch + 45 * MS_M + rng.randint(0, 300_000)
                    continue
                ms = agent_lookup(s, ms)
                ms += int(rng.expovariate(1 / (5.5 * MS_M))) + 20_000


def etl_runs():
    for day in range(DAYS):
        s = session(ETL)
        since = (START + timedelta(days=day - 1, hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        soql = ("SELECT Id, FirstName, LastName, Email, Phone, MobilePhone, Birthdate, "
                "Frequent_Flyer_Number__c, LastModifiedDate FROM Contact "
                f"WHERE LastModifiedDate >= {since} ORDER BY LastModifiedDate ASC")
        paged_read(s, day * DAY + 2 * MS_H + rng.randint(1_000, 9_000), "Contact", soql,
                   rng.randint(20_000, 60_000), (2_500, 4_500))


ATTACK_TOTALS = {"Contact": 352_418, "Account": 119_604, "Case": 128_731}
ATTACK_SOQL = {
    "Contact": "SELECT Id, FirstName, LastName, Email, Phone, MobilePhone, Birthdate, "
               "MailingAddress, Frequent_Flyer_Number__c FROM Contact",
    "Account": "SELECT Id, Name, PersonEmail, Phone, Loyalty_Tier__c FROM Account",
    "Case": "SELECT Id, CaseNumber, ContactId, Subject, Description, Status FROM Case",
}


def attack():
    s = session(ATTACKER)
    ms = ELF_DAY * DAY + 9 * MS_H + 41 * MS_M + 7_123                # 2025-06-30T09:41:07.123Z
    for entity, total in ATTACK_TOTALS.items():                      # "how much is there?"
        emit(s, ms, entity, f"SELECT COUNT() FROM {entity}", 1.0, 1, total)
        ms += rng.randint(15_000, 40_000)
    ms += 2 * MS_M                                                   # small test extraction
    emit(s, ms, "Contact", ATTACK_SOQL["Contact"] + " LIMIT 200", 200.0, 200, 200)
    ms += 8 * MS_M + rng.randint(0, 999)
    for entity, total in ATTACK_TOTALS.items():                      # the real thing
        ms = paged_read(s, ms, entity, ATTACK_SOQL[entity], total, (17_000, 25_000))
        ms += rng.randint(90_000, 200_000)


def ts(ms):
    return START + timedelta(milliseconds=ms)


KEY_PREFIX = {"Contact": "003", "Account": "001", "Case": "500"}


def rtem_line(e):
    """ApiEvent as stored; Records is truncated to two sample ids, as in the AppOmni sample."""
    count = "COUNT()" in e["soql"]
    recs = [{"attributes": {"type": e["entity"]}, "Id": sf_id(KEY_PREFIX[e["entity"]])}
            for _ in range(0 if count else min(2, e["returned"]))]
    records = {"totalSize": e["total"], "done": count or e["processed"] >= e["total"],
               "records": recs}
    fmt = lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}+0000"
    obj = {
        "AdditionalInfo": "{}", "ApiType": e["api_type"], "ApiVersion": e["api_version"],
        "Application": e["application"], "Client": e["client"], "ConnectedAppId": e["app_id"],
        "CreatedDate": fmt(ts(e["ms"] + rng.randint(200, 3000))), "ElapsedTime": e["elapsed"],
        "EvaluationTime": 0.0, "EventDate": fmt(ts(e["ms"])), "EventIdentifier": e["event_id"],
        "LoginHistoryId": e["login_history_id"], "LoginKey": e["login_key"],
        "Operation": e["op"], "Platform": "Unknown", "PolicyId": None, "PolicyOutcome": None,
        "QueriedEntities": e["entity"], "Query": e["soql"],
        "Records": json.dumps(records, separators=(",", ":")), "RelatedEventIdentifier": None,
        "RowsProcessed": float(e["processed"]), "RowsReturned": e["returned"],
        "SessionKey": e["session_key"], "SessionLevel": "STANDARD", "SourceIp": e["ip"],
        "UserAgent": e["user_agent"], "UserId": e["user_id"], "Username": e["username"],
        "attributes": {"type": "ApiEvent"},
    }
    return json.dumps(obj, separators=(",", ":")) + "\n"


ELF_COLUMNS = ("EVENT_TYPE TIMESTAMP REQUEST_ID ORGANIZATION_ID USER_ID RUN_TIME CPU_TIME URI "
               "SESSION_KEY LOGIN_KEY USER_TYPE REQUEST_STATUS DB_TOTAL_TIME API_TYPE API_VERSION "
               "CLIENT_NAME METHOD_NAME ENTITY_NAME ROWS_PROCESSED REQUEST_SIZE RESPONSE_SIZE "
               "DB_BLOCKS DB_CPU_TIME EXCEPTION_MESSAGE TIMESTAMP_DERIVED USER_ID_DERIVED "
               "CLIENT_IP URI_ID_DERIVED").split()


def elf_row(e):
    d = ts(e["ms"])
    milli = f"{d.microsecond // 1000:03d}"
    rows = "" if e["processed"] is None else str(int(e["processed"]))
    return [
        "API", d.strftime("%Y%m%d%H%M%S.") + milli, "4" + rand_str(21), ORG_ID[:15],
        e["user_id"][:15], str(e["elapsed"] + rng.randint(5, 40)), str(e["elapsed"] // 3),
        "Api", e["session_key"], e["login_key"], "Standard", "" if e.get("internal") else "S",
        str(e["elapsed"] * 850_000), {"SOAP Partner": "P", "SOAP Enterprise": "E"}[e["api_type"]],
        f"{e['api_version']:.1f}", e["client"],
        "query" if e["op"] == "Query" else "queryMore", e["entity"], rows,
        str(len(e["soql"]) + 420), str(650 + 380 * e["returned"]), str(4 + e["returned"] // 40),
        str(e["elapsed"] // 4), "", d.strftime("%Y-%m-%dT%H:%M:%S.") + milli + "Z",
        e["user_id"], e["ip"], "",
    ]


def internal_calls():
    """Salesforce-internal API calls: in ELF only (ApiEvent does not capture them)."""
    s = dict(user_id=INTERNAL_USER_ID, api_type="SOAP Enterprise", api_version=9998.0,
             client="SfdcInternalAPI/", ip="Salesforce.com IP", session_key="", login_key="")
    ms = ELF_DAY * DAY + rng.randint(0, 600_000)
    while ms < (ELF_DAY + 1) * DAY:
        n = rng.choice([None, None, 1, 1, 3])
        events.append(dict(s, ms=ms, entity="Organization", op="Query", returned=n or 0,
                           processed=n, elapsed=rng.randint(3, 30), soql="", internal=True))
        ms += rng.randint(5 * MS_M, 15 * MS_M)


def main():
    agent_shifts()
    etl_runs()
    attack()
    internal_calls()
    events.sort(key=lambda e: e["ms"])              # stable: ties keep generation order
    # RTEM: one zstd frame per UTC day, frames concatenated.
    frames, rtem_lines = [], 0
    for day in range(DAYS):
        lines = [rtem_line(e) for e in events if not e.get("internal")
                 and day * DAY <= e["ms"] < (day + 1) * DAY]
        rtem_lines += len(lines)
        frames.append(subprocess.run(["zstd", "-q", "-19", "-c"], input="".join(lines).encode(),
                                     stdout=subprocess.PIPE, check=True).stdout)
    (OUT / "salesforce-rtem").mkdir(exist_ok=True)
    (OUT / "salesforce-rtem/ApiEvent-2025-06-28_30.jsonl.zst").write_bytes(b"".join(frames))
    # ELF: 30 June only; member 1 = header + hours 00-10, member 2 = hours 11-23.
    day_ms, split = ELF_DAY * DAY, ELF_DAY * DAY + 11 * MS_H
    members = []
    for lo, hi, header in ((day_ms, split, True), (split, day_ms + DAY, False)):
        buf = io.StringIO()
        w = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
        if header:
            w.writerow(ELF_COLUMNS)
        w.writerows(elf_row(e) for e in events if lo <= e["ms"] < hi)
        members.append(subprocess.run(["gzip", "-n", "-9", "-c"], input=buf.getvalue().encode(),
                                      stdout=subprocess.PIPE, check=True).stdout)
    (OUT / "salesforce-elf").mkdir(exist_ok=True)
    (OUT / "salesforce-elf/API-2025-06-30.csv.gz").write_bytes(b"".join(members))
    hits = [e for e in events if e.get("ip") == ATTACKER["ip"]]
    per_query = {e["soql"]: e["processed"] for e in hits}           # last page = running total
    print(f"{rtem_lines} ApiEvent lines, {sum(day_ms <= e['ms'] for e in events)} ELF rows; "
          f"attack: {len(hits)} events, {ts(hits[0]['ms'])} to {ts(hits[-1]['ms'])}, "
          f"{sum(per_query.values()):,.0f} rows (max RowsProcessed per query)")


if __name__ == "__main__":
    main()
