#!/usr/bin/env python3
"""Recompute the province's published service index from motcua's open data, and check it.

Usage: recompute_index.py BASE_URL PERIOD     (PERIOD is YYYY or YYYY-MM, a published one)

Reads BASE_URL/open-data/ (the manifest), downloads the `dossiers` CSV files of every month up
to the period's end and the period's `index` CSV, checks each file against the SHA-256 the
manifest gives, and recomputes from the dossier rows alone the index's dossier metrics for the
province. Prints each metric's published and recomputed numerator and denominator; exits 0
when they all agree and 1 otherwise. Only the Python standard library is needed.

The rules, as motcua applies them (motcua_domain::index::cohort):
- processed in the period: received by its end and not ended before its start;
- in time: ended early, on time, or refused or withdrawn by its appointment; or still open at
  the period's end and not past its appointment on the period's last day;
- received: received in the period; online: of those, filed online; reusing data: of those,
  with a component reused from a file given before;
- with a fee: received with a fee; paid online: of those, paid through the gateway;
- finished: ended in the period with a result; electronic result: of those, with one;
- satisfactory: in time and not rated dissatisfied.
"""

import csv
import hashlib
import io
import json
import sys
import urllib.request


def fetch(url):
    with urllib.request.urlopen(url, timeout=60) as r:
        return r.read()


def months_of(period):
    if len(period) == 4:
        return period + "-01", period + "-12"
    return period, period


def last_day(month):
    import calendar

    y, m = int(month[:4]), int(month[5:7])
    return "%s-%02d" % (month, calendar.monthrange(y, m)[1])


def recompute(rows, first, last):
    as_of = last_day(last)
    n = {k: 0 for k in ("processed", "in_time", "satisfactory", "received", "online",
                        "with_fee", "paid_online", "finished", "e_result", "reused")}
    for r in rows:
        received, ended = r["received_on"][:7], r["ended_in"]
        if first <= received <= last:
            n["received"] += 1
            n["online"] += r["channel"] == "online"
            n["reused"] += r["reused_data"] == "true"
            if r["fee"] != "none":
                n["with_fee"] += 1
                n["paid_online"] += r["fee"] == "paid_online"
        if ended and first <= ended <= last and r["outcome"] in ("early", "on_time", "late"):
            n["finished"] += 1
            n["e_result"] += r["e_result"] == "true"
        if received <= last and (not ended or ended >= first):
            n["processed"] += 1
            if not ended or ended > last:
                in_time = not (r["due_on"] and r["due_on"] < as_of)
            else:
                in_time = r["outcome"] in ("early", "on_time", "stopped_in_time")
            if in_time:
                n["in_time"] += 1
                n["satisfactory"] += r["rating"] != "dissatisfied"
    return {
        "DOSSIER_PROGRESS": (n["in_time"], n["processed"]),
        "ONLINE_DOSSIERS": (n["online"], n["received"]),
        "ONLINE_PAYMENT_DOSSIERS": (n["paid_online"], n["with_fee"]),
        "ORIGINAL_RESULT_AVAILABLE": (n["e_result"], n["finished"]),
        "REUSED_DIGITIZED_DATA": (n["reused"], n["received"]),
        "DOSSIER_RECEIVING_SATISFACTION": (n["satisfactory"], n["processed"]),
    }


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    base, period = argv[1].rstrip("/"), argv[2]
    manifest = json.loads(fetch(base + "/open-data/"))
    first, last = months_of(period)

    def download(entry):
        data = fetch(entry["url"])
        digest = hashlib.sha256(data).hexdigest()
        if digest != entry["sha256"]:
            raise SystemExit("%s: SHA-256 %s, the manifest says %s" % (entry["url"], digest, entry["sha256"]))
        return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))

    csvs = [f for f in manifest["files"] if f["format"] == "csv"]
    rows = []
    for f in csvs:
        if f["dataset"] == "dossiers" and len(f["period"]) == 7 and f["period"] <= last:
            rows.extend(download(f))
    index = [f for f in csvs if f["dataset"] == "index" and f["period"] == period]
    if not index:
        raise SystemExit("no published index for %s" % period)
    published = {r["metric"]: r for r in download(index[0]) if r["scope"] == "province"}
    agree = True
    for metric, (num, den) in recompute(rows, first, last).items():
        p = published[metric]
        shown = (int(p["numerator"] or -1), int(p["denominator"] or -1))
        ok = shown == (num, den)
        agree &= ok
        print("%-32s published %s/%s  recomputed %s/%s  %s"
              % (metric, shown[0], shown[1], num, den, "agrees" if ok else "DIFFERS"))
    print("high-water mark %s: %s" % (manifest["high_water_seq"], "all agree" if agree else "differences"))
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
