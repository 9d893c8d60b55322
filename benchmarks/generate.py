"""Synthetic billing workbooks for the benchmarks: a group practice's year of service lines.

The mix follows :mod:`workbook_templates.sample_data`: mostly clean weekly psychotherapy
sessions (90834/90837/90832, an intake 90791 first, E/M + add-on for the prescriber's clients),
the sample's payers (one of them missing from the Payers sheet), per-client authorizations for
the payers that require them, paid / submitted / ready / denied statuses, and about 7% of lines
with one of the problems billers meet (minutes that do not fit the code, an add-on alone, a
category or dot-less diagnosis, a telehealth line without the payer's modifier, a bad NPI, a
duplicate, a zero charge, a future date, dates typed as text, an ``#N/A`` cell, ...).  Values
come in the forms Excel hands over: codes as numbers, dates as date cells or text.

``problems`` sets how many of those mistakes a line gets on average (0.07 by default): a
problem-dense workbook, as in a backlog or a clean-up export, has one or more per line
(``DENSE`` gives about 1.4 findings per line, ``DENSE1`` about 1, ``DENSE5`` about 5).

Everything is invented (names, IDs; NPIs carry valid check digits but are made up) and
deterministic for a given size and seed.  Files are written with XlsxWriter's constant-memory
mode and cached under ``benchmarks/out/`` (git-ignored)::

    python benchmarks/generate.py 1000 10000 100000      # prints the paths
    python benchmarks/generate.py 20000 --problems=1     # a problem-dense workbook
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

from claimcheck import columns as C

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
GENERATOR_VERSION = 1  # bump when the mix changes, so cached files are rebuilt

AS_OF = dt.date(2026, 6, 30)
YEAR_START = dt.date(2025, 7, 1)

#: The contract's Claims headers without the optional documentation columns (Note Signed, Start
#: Time, Stop Time), which the generated lines do not fill.
CLAIM_HEADERS = [h for h in C.CLAIM_HEADERS if h not in C.DOCUMENTATION_HEADERS]
AUTH_HEADERS = C.AUTH_HEADERS
PAYER_HEADERS = C.PAYER_HEADERS
PROVIDER_HEADERS = C.PROVIDER_HEADERS

# name, payer id, filing days, appeal days, telehealth modifier, auth required, eval counts
PAYERS = [
    ("Evergreen Health Plan", "EVG01", 90, 180, "95", "Y", "N"),
    ("Summit BlueCare", "SBC22", 180, 180, "95", "N", "N"),
    ("Medicare Part B", "MCRB", 365, 120, "", "N", "N"),
    ("Riverbend Medicaid", "RBM07", 95, 60, "GT", "Y", "Y"),
]
NOT_ON_SHEET = "Harbor Mutual"
PAYER_WEIGHTS = [("Evergreen Health Plan", 30), ("Summit BlueCare", 30), ("Medicare Part B", 15),
                 ("Riverbend Medicaid", 20), (NOT_ON_SHEET, 5)]
FEES = {"90791": 200, "90792": 240, "90832": 95, "90834": 130, "90837": 165, "90839": 210, "90840": 100,
        "90785": 25, "90846": 140, "90847": 150, "99214": 180, "90833": 90, "90836": 120, "90853": 60}
DX = ["F41.1", "F33.1", "F32.1", "F43.10", "F90.2", "F43.23", "F31.81", "F42.2", "F41.0", "F43.12"]
SECONDARY_DX = ["Z63.0", "Z56.0", "F10.20", "G47.00"]
DENIALS = ["CO-197", "CO-50", "CO-4", "CO-16, N290", "CO-29", "PR-1", "CO-18", "CO-11"]
CREDENTIALS = ["LCSW", "LPC", "LMFT", "PhD", "PsyD", "LCSW", "LPC"]
FIRST = ["Avery", "Jordan", "Riley", "Casey", "Morgan", "Taylor", "Quinn", "Harper", "Rowan", "Sage"]
LAST = ["Sample", "Example", "Placeholder", "Fictional", "Madeup", "Testcase", "Synthetic", "Mock", "Dummy"]

PROBLEM_RATE = 0.07
#: Mistakes per line for the problem-dense workbooks of the speed benchmark (issue 20), measured
#: by ``claimcheck check`` on the generated files: DENSE gives about 1.4 findings per line,
#: DENSE1 about 1 (the base the 5-per-line workbook is compared with), DENSE5 about 5.
DENSE = 1.8
DENSE1 = 1.2
DENSE5 = 12.0


def member_id(payer: str, number: int) -> str:
    """A made-up member ID: for Medicare an MBI-shaped one (11 characters in the CMS format, the
    number in base 20 in its letter positions, so different numbers give different IDs), else
    the payer's first three letters and the number."""
    if payer.startswith("Medicare"):
        letters = "ACDEFGHJKMNPQRTUVWXY"
        l = [letters[(number // 20 ** k) % 20] for k in range(6)]
        return f"1{l[0]}{l[1]}0{l[2]}{l[3]}0{l[4]}{l[5]}00"
    return f"{payer[:3].upper()}{number}"


def npi_with_check_digit(nine: str) -> str:
    """A ten-digit NPI whose Luhn check digit (over 80840 + NPI) is valid."""
    from claimcheck.npi import luhn_valid

    for d in "0123456789":
        if luhn_valid("80840" + nine + d):
            return nine + d
    raise AssertionError


def _providers(n: int, rng: random.Random) -> list[tuple[str, str, str, str]]:
    out = [
        ("1234567893", "Dana Reyes", "LCSW", "1041C0700X"),
        ("1456789019", "Sam Okafor", "PsyD", "103TC0700X"),
        ("1678901236", "Priya Nair", "MD", "2084P0800X"),
        ("1543210987", "Lee Marsh", "LPC", "101YP2500X"),
    ]
    while len(out) < n:
        npi = npi_with_check_digit("1" + "".join(rng.choice("0123456789") for _ in range(8)))
        cred = "MD" if len(out) % 9 == 0 else rng.choice(CREDENTIALS)
        out.append((npi, f"{rng.choice(FIRST)} {rng.choice(LAST)}", cred,
                    "2084P0800X" if cred == "MD" else "101YP2500X"))
    return out


class _Practice:
    def __init__(self, lines: int, seed: int, problems: float = PROBLEM_RATE):
        self.rng = rng = random.Random(seed)
        self.lines = lines
        self.problems = problems
        n_clients = max(3, lines // 34)  # about 34 sessions per client-year
        self.providers = _providers(max(4, 4 + lines // 2500), rng)
        self.clients = []
        payer_names = [p for p, _ in PAYER_WEIGHTS]
        weights = [w for _, w in PAYER_WEIGHTS]
        for k in range(n_clients):
            payer = rng.choices(payer_names, weights)[0]
            npi, _, cred, _ = rng.choice(self.providers)
            dob = dt.date(rng.randint(1945, 2015), rng.randint(1, 12), rng.randint(1, 28))
            start = YEAR_START + dt.timedelta(days=rng.randint(0, 60))
            self.clients.append({
                "id": f"CL-{10000 + k}",
                "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                "dob": dob,
                "member": member_id(payer, rng.randint(100000, 999999)),
                "payer": payer,
                "npi": npi,
                "prescriber": cred == "MD",
                "dx": rng.choice(DX) + ((", " + rng.choice(SECONDARY_DX)) if rng.random() < 0.2 else ""),
                "start": start,
                "weekday_shift": rng.randint(0, 4),
                "auth": None,
            })
        self.auths = []
        auth_payers = {p[0] for p in PAYERS if p[5] == "Y"}
        for c in self.clients:
            if c["payer"] in auth_payers:
                number = f"{c['payer'][:2].upper()}-{c['id'][3:]}"
                authorized = rng.choice([52, 52, 52, 40, 30])  # a few run over
                c["auth"] = number
                self.auths.append([number, c["id"], c["payer"], c["start"], c["start"] + dt.timedelta(days=364),
                                   authorized, "Visits", "", "", ""])

    def claim_rows(self):
        """Yield claim lines (lists in CLAIM_HEADERS order) until ``lines`` are written."""
        rng = self.rng
        written = 0
        claim_no = 100000
        week = 0
        while written < self.lines:
            for c in self.clients:
                if written >= self.lines:
                    return
                dos = c["start"] + dt.timedelta(weeks=week)
                if dos > AS_OF + dt.timedelta(days=3):
                    dos = AS_OF - dt.timedelta(days=rng.randint(0, 300))  # fill from the year
                claim_no += 1
                lines = self._session(c, dos, week, f"C{claim_no}")
                for line in lines:
                    if written >= self.lines:
                        return
                    n = self._how_many()
                    kinds = [None] if n == 1 else rng.sample(range(16), min(n, 16))  # n mistakes, all different
                    extras = [self._problem(line, c, kind) for kind in kinds[:n]]
                    extra = next((e for e in extras if e is not None), None)
                    if extra is not None and written + 1 < self.lines:
                        yield line
                        written += 1
                        line = extra
                    yield line
                    written += 1
            week += 1

    def _how_many(self) -> int:
        """How many mistakes the next line gets: ``problems`` on average (below 1: one, that often)."""
        whole = int(self.problems)
        return whole + (1 if self.rng.random() < self.problems - whole else 0)

    def _session(self, c, dos: dt.date, week: int, claim: str) -> list[list]:
        rng = self.rng
        age = (AS_OF - dos).days
        if age > 60:
            status = "Paid" if rng.random() > 0.03 else "Denied"
        elif age > 14:
            status = "Submitted"
        else:
            status = "Ready"
        tele = rng.random() < 0.25
        pos = "10" if tele else "11"
        tele_mod = {"Evergreen Health Plan": "95", "Summit BlueCare": "95", "Riverbend Medicaid": "GT"}.get(c["payer"], "")
        mods = tele_mod if tele else ""
        if week == 0:
            codes = [("90792" if c["prescriber"] else "90791", rng.randint(50, 70))]
        elif c["prescriber"] and week % 4 == 0:
            codes = [("99214", None), ("90836", rng.randint(38, 52))]
        else:
            r = rng.random()
            if r < 0.6:
                codes = [("90834", rng.randint(38, 52))]
            elif r < 0.9:
                codes = [("90837", rng.randint(53, 60))]
            else:
                codes = [("90832", rng.randint(16, 37))]
        out = []
        for cpt, minutes in codes:
            fee = FEES[cpt]
            paid = round(fee * 0.8, 2) if status == "Paid" else None
            submitted = dos + dt.timedelta(days=rng.randint(1, 5)) if status != "Ready" else None
            denial = rng.choice(DENIALS) if status == "Denied" else ""
            denial_date = dos + dt.timedelta(days=rng.randint(20, 40)) if denial else None
            out.append([claim, c["id"], c["name"], c["dob"], c["member"], c["payer"], c["npi"], "1987654328",
                        dos, minutes, int(cpt), mods, 1, c["dx"], pos, fee, c["auth"] or "", status,
                        submitted, paid, denial, denial_date])
        return out

    def _problem(self, line: list, c, kind: int | None = None) -> list | None:
        """Put one biller's mistake (``kind``, or one at random) into ``line`` (in place); may
        return an extra line."""
        rng = self.rng
        if kind is None:
            kind = rng.randrange(16)
        i = CLAIM_HEADERS.index
        if kind == 0:  # 90837 for 45 minutes
            line[i("CPT")], line[i("Minutes")] = 90837, 45
        elif kind == 1:  # add-on without its primary
            line[i("CPT")], line[i("Minutes")] = 90785, None
        elif kind == 2:  # category diagnosis / dot-less
            line[i("Dx Codes")] = rng.choice(["F41", "F43.1", "f4310", "F4311"])
        elif kind == 3:  # telehealth without the payer's modifier
            line[i("POS")], line[i("Modifiers")] = 10, ""
        elif kind == 4:  # NPI typo
            npi = line[i("Rendering NPI")]
            if not npi:  # (another mistake on this line took it away)
                return None
            line[i("Rendering NPI")] = npi[:-1] + str((int(npi[-1]) + 1) % 10)
        elif kind == 5:  # duplicate line
            return list(line)
        elif kind == 6:  # zero charge
            line[i("Charge")] = 0
        elif kind == 7:  # future date
            line[i("DOS")] = AS_OF + dt.timedelta(days=rng.randint(1, 20))
            line[i("Status")], line[i("Submitted On")], line[i("Paid Amount")] = "Draft", None, None
        elif kind == 8:  # dates typed as text
            d = line[i("DOS")]
            if not isinstance(d, dt.date):
                return None
            line[i("DOS")] = f"{d.month:02d}/{d.day:02d}/{d.year}"
        elif kind == 9:  # a formula error that came through
            line[i("Member ID")] = "#N/A"
        elif kind == 10:  # minutes typed with a unit / psychotherapy under 16
            line[i("Minutes")] = rng.choice(["45 min", 12])
        elif kind == 11:  # unknown payer spelling / status
            line[i("Status")] = rng.choice(["Pending", "sent"])
        elif kind == 12:  # malformed / unknown modifier
            line[i("Modifiers")] = rng.choice(["HO, 95, 93", "9", "ZZ"])
        elif kind == 13:  # missing required values
            line[i(rng.choice(["Member ID", "POS", "Rendering NPI"]))] = None
        elif kind == 14:  # unfiled old line (timely filing passed)
            line[i("Status")], line[i("Submitted On")], line[i("Paid Amount")] = "Ready", None, None
        elif isinstance(line[i("Charge")], (int, float)):  # charge as text
            line[i("Charge")] = f"${line[i('Charge')]:,.2f}"
        return None


def path_for(lines: int, seed: int = 7, problems: float = PROBLEM_RATE) -> Path:
    dense = "" if problems == PROBLEM_RATE else f"-p{problems:g}"
    return OUT / f"claims-{lines}-s{seed}-v{GENERATOR_VERSION}{dense}.xlsx"


def generate(lines: int, seed: int = 7, path: Path | None = None, force: bool = False,
             problems: float = PROBLEM_RATE) -> Path:
    """Write (or reuse the cached) synthetic workbook with ``lines`` service lines, ``problems``
    mistakes per line on average."""
    import xlsxwriter

    path = Path(path) if path else path_for(lines, seed, problems)
    if path.exists() and not force:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    practice = _Practice(lines, seed, problems)
    tmp = path.with_suffix(".tmp.xlsx")
    wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
    bold = wb.add_format({"bold": True})
    datef = wb.add_format({"num_format": "mm/dd/yyyy"})
    money = wb.add_format({"num_format": '"$"#,##0.00'})

    def sheet(name, headers, rows, formats=None):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, headers, bold)
        n = 0
        for r, row in enumerate(rows, start=1):
            for col, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, dt.date):
                    ws.write_datetime(r, col, dt.datetime(value.year, value.month, value.day), datef)
                elif formats and col in formats:
                    ws.write(r, col, value, formats[col])
                else:
                    ws.write(r, col, value)
            n = r
        ws.freeze_panes(1, 0)
        return n

    money_cols = {CLAIM_HEADERS.index("Charge"): money, CLAIM_HEADERS.index("Paid Amount"): money}
    sheet("Claims", CLAIM_HEADERS, practice.claim_rows(), money_cols)
    sheet("Authorizations", AUTH_HEADERS, practice.auths)
    payer_rows = [[name, pid, filing, appeal, mod, auth, evalc, f"{name}, Appeals, PO Box 1, Anytown", "(555) 555-0100",
                   "(800) 555-0100"] for name, pid, filing, appeal, mod, auth, evalc in PAYERS]
    sheet("Payers", PAYER_HEADERS, payer_rows)
    sheet("Providers", PROVIDER_HEADERS, [list(p) for p in practice.providers])
    wb.close()
    tmp.replace(path)
    return path


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if "-h" in args or "--help" in args:
        print("usage: python benchmarks/generate.py [SIZE ...] [--force]\n\n"
              "Write synthetic billing workbooks of SIZE service lines (1000, 10k, 100_000; default 1000 10000 100000)\n"
              f"into {OUT} and print their paths; a file already there is kept unless --force.")
        return
    force = "--force" in args
    problems = next((float(a.split("=", 1)[1]) for a in args if a.startswith("--problems=")), PROBLEM_RATE)
    sizes = [int(a.replace("_", "").replace("k", "000")) for a in args if not a.startswith("--")] or [1000, 10000, 100000]
    for n in sizes:
        print(generate(n, force=force, problems=problems))


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main()
