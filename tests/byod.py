"""Bring your own data: a user's lake files and their mappings, for the tests in test_bring_your_own_data.py.

A small deterministic population (`people()`, `order_lines()`) is written through three layouts of one source
system (`LAYOUTS`: English CSV, German CSV in latin-1, nested JSON lines + Parquet), each with the mapping a user
would declare for it. `write_kiosk` (an order log without order ids, products or currencies) and `write_messy`
(deliberately bad rows and a file without the key column) add two more systems. `mapped_project` copies the
repository's dbt project and declares the mappings in the copy, as a user would in theirs. The FEBRL files
(mapping, wheel, truth) are benchmarks/febrl.py's, which the outside-data identity benchmark uses too.

Each writer returns the data rows it wrote per source table (`system.table`), counted in Python, so a test can
reconcile them with what dbt reports.
"""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

RowCounts = dict[str, int]  # "system.table" -> data rows written


# The dbt project copy with the user's mappings: benchmarks/mapped_project.py (mapped_project, write_sources), which
# the outside-data benchmarks use too.


# ---------------------------------------------------------------------------------------------------------------
# The population
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    number: int  # the customer number in the user's system
    first_name: str
    last_name: str
    email: str
    phone: str | None
    mobile: str | None
    street: str
    line_2: str | None
    city: str
    state: str | None
    postal_code: str
    country: str  # ISO alpha-2, upper case
    birth_date: date | None
    erp_number: str  # the same person's customer number in another system (kept as an extra column)


@dataclass(frozen=True)
class OrderLine:
    order_number: str
    customer: int
    ordered_at: datetime  # UTC, time-zone aware
    product: str
    quantity: int
    amount: Decimal  # the line's amount, 2 decimals


FIRST_NAMES = [
    "Anna", "Bernd", "Clara", "Dieter", "Elif", "Frieda", "Gustav", "Hanna", "Ingo", "Jana", "Konrad", "Lotte",
    "Moritz", "Nele", "Oskar", "Petra", "Quirin", "Rosa", "Sven", "Tamara",
]  # fmt: skip
LAST_NAMES = [
    "Albrecht", "Brandt", "Coban", "Dressler", "Engel", "Fuchs", "Gross", "Hoffmann", "Iwanow", "Jahn", "Kraus",
    "Lindner", "Martens", "Nowak", "Ostermann", "Pohl", "Quandt", "Richter", "Seidel", "Thiel",
]  # fmt: skip
CITIES = [
    ("Berlin", "10115"), ("Dresden", "01067"), ("Hamburg", "20095"), ("Köln", "50667"), ("Leipzig", "04109"),
    ("Bremen", "28195"), ("Kassel", "34117"), ("Ulm", "89073"),
]  # fmt: skip
STREETS = ["Hauptstr.", "Bahnhofstr.", "Gartenweg", "Lindenallee", "Am Markt", "Schulstr."]
PRODUCTS = [f"SKU-{number:03d}" for number in range(1, 9)]


def _ascii(text: str) -> str:
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue")):
        text = text.replace(umlaut, spelled)
    return text


def people(count: int = 40, seed: int = 7) -> list[Person]:
    """`count` distinct people (distinct full names); the first is Jürgen Müller with a second address line and a
    state, the second has no phones and no birth date."""
    rng = random.Random(seed)
    names = [("Jürgen", "Müller")]
    pairs = [(first, last) for first in FIRST_NAMES for last in LAST_NAMES]
    names += rng.sample(pairs, count - 1)
    result = []
    for index, (first, last) in enumerate(names):
        city, postal_code = CITIES[rng.randrange(len(CITIES))]
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 54))
        result.append(
            Person(
                number=1001 + index,
                first_name=first,
                last_name=last,
                email=f"{_ascii(first).lower()}.{_ascii(last).lower()}{index}@example.com",
                phone=None if index == 1 or index % 3 == 0 else f"+49 30 {rng.randrange(1000000, 9999999)}",
                mobile=None if index == 1 or index % 4 == 1 else f"+49 171 {rng.randrange(1000000, 9999999)}",
                street=f"{rng.choice(STREETS)} {rng.randrange(1, 120)}",
                line_2="Hinterhaus, 2. OG" if index == 0 else None,
                city=city,
                state="Bayern" if index == 0 else ("Sachsen" if postal_code.startswith("0") else None),
                postal_code=postal_code,
                country="AT" if index % 10 == 7 else "DE",
                birth_date=None if index == 1 else birth,
                erp_number=f"E-{50000 + index * 7}",
            )
        )
    return result


def order_lines(population: Sequence[Person], seed: int = 7) -> list[OrderLine]:
    """Orders of about three quarters of the people, a few with two orders, some orders with 2-3 lines."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 6, tzinfo=UTC)
    buyers = [person for index, person in enumerate(population) if index % 4 != 2]
    orders = [(person, 0) for person in buyers] + [(person, 1) for person in buyers[::5]]
    lines: list[OrderLine] = []
    for order_index, (person, _) in enumerate(orders):
        ordered_at = start + timedelta(
            days=rng.randrange(300), hours=rng.randrange(24), minutes=rng.randrange(60), seconds=rng.randrange(60)
        )
        line_count = 1 if order_index % 3 else rng.choice([2, 3])
        for _ in range(line_count):
            quantity = rng.randrange(1, 4)
            unit_price = Decimal(rng.randrange(199, 49999)) / 100
            lines.append(
                OrderLine(
                    order_number=f"A-{10001 + order_index}",
                    customer=person.number,
                    ordered_at=ordered_at,
                    product=rng.choice(PRODUCTS),
                    quantity=quantity,
                    amount=unit_price * quantity,
                )
            )
    return lines


# ---------------------------------------------------------------------------------------------------------------
# Writing files
# ---------------------------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ",", encoding: str = "utf-8"
) -> int:
    """A CSV file with a header line; returns its data rows."""
    rows = [[_text(value) for value in row] for row in rows]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return len(rows)


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """A JSON lines file (UTF-8, not ASCII-escaped); returns its records."""
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return len(lines)


def _german_date(value: date | None) -> str:
    return "" if value is None else value.strftime("%d.%m.%Y")


def _german_amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def _iso8601(value: datetime, line_number: int) -> str:
    """ISO 8601 as exports write it: in UTC with Z, or in local time with an offset (+01:00 or -05:00)."""
    if line_number % 3 == 0:
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    offset = timedelta(hours=1) if line_number % 3 == 1 else timedelta(hours=-5)
    return value.astimezone(timezone(offset)).isoformat()


# ---- Layout A: English CSV, comma, ISO dates, '.' decimals -------------------------------------------------------

CONTACT_HEADER_A = [
    "customer_no", "first_name", "last_name", "email", "phone", "mobile", "street", "address_line_2", "city",
    "state", "zip", "country", "birth_date", "erp_customer_no",
]  # fmt: skip


def write_layout_a(lake: Path, population: Sequence[Person], lines: Sequence[OrderLine]) -> RowCounts:
    contacts = [
        [p.number, p.first_name, p.last_name, p.email, p.phone, p.mobile, p.street, p.line_2, p.city, p.state,
         p.postal_code, p.country, p.birth_date and p.birth_date.isoformat(), p.erp_number]
        for p in population
    ]  # fmt: skip
    orders = [
        [line.order_number, line.customer, _iso8601(line.ordered_at, number), line.product, line.quantity,
         f"{line.amount:.2f}"]
        for number, line in enumerate(lines)
    ]  # fmt: skip
    return {
        "acme.customers": write_csv(lake / "acme" / "customers.csv", CONTACT_HEADER_A, contacts),
        "acme.orders": write_csv(
            lake / "acme" / "orders.csv",
            ["order_number", "customer", "ordered_at", "product", "quantity", "amount"],
            orders,
        ),
    }


MAPPING_A: dict[str, dict[str, Any]] = {
    "customers": {
        "path": "acme/customers.csv",
        "format": "csv",
        "entity": "contact",
        "columns": {
            "source_record_id": "customer_no",
            "first_name": "first_name",
            "last_name": "last_name",
            "email_address_1": "email",
            "telephone_1": "phone",
            "mobile_phone": "mobile",
            "address_1_line_1": "street",
            "address_1_line_2": "address_line_2",
            "address_1_city": "city",
            "address_1_state_or_province": "state",
            "address_1_postal_code": "zip",
            "address_1_country": "country",
            "birth_date": "birth_date",
        },
    },
    "orders": {
        "path": "acme/orders.csv",
        "format": "csv",
        "entity": "sales_order",
        "columns": {
            "order_number": "order_number",
            "customer_source_record_id": "customer",
            "ordered_at": "ordered_at",
            "product_id": "product",
            "quantity": "quantity",
            "extended_amount": "amount",
        },
    },
}


# ---- Layout B: German CSV, ';', other header names and order, DD.MM.YYYY, decimal comma, latin-1 ----------------

# Two contact files of one glob, with their columns in different orders and spelled differently.
CONTACT_HEADER_B1 = [
    " Kunden Nr ", "Nachname", "Vorname", "E-Mail", "Telefon", "Handy", "Straße", "Adresszusatz", "PLZ", "Ort",
    "Bundesland", "Land", "Geburtsdatum", "ERP Kd-Nr",
]  # fmt: skip
CONTACT_HEADER_B2 = [
    "ERP Kd-Nr", "Geburtsdatum", "kundennr", " e-mail ", "VORNAME", "Nachname", "PLZ", "Ort", "straße",
    "Adresszusatz", "Bundesland", "LAND", "Handy", "Telefon",
]  # fmt: skip
ORDER_HEADER_B = ["Bestellnummer", "Artikel", "Menge", "Betrag", "Kunde", "Bestellt am"]


def _german_contact(person: Person, header: Sequence[str]) -> list[str]:
    values = {
        "kundennr": person.number,
        "nachname": person.last_name,
        "vorname": person.first_name,
        "e-mail": person.email,
        "telefon": person.phone,
        "handy": person.mobile,
        "straße": person.street,
        "adresszusatz": person.line_2,
        "plz": person.postal_code,
        "ort": person.city,
        "bundesland": person.state,
        "land": person.country.lower(),
        "geburtsdatum": _german_date(person.birth_date),
        "erpkd-nr": person.erp_number,
    }
    return [_text(values[name.replace(" ", "").lower()]) for name in header]


def write_layout_b(lake: Path, population: Sequence[Person], lines: Sequence[OrderLine]) -> RowCounts:
    half = len(population) // 2
    south, north = population[:half], population[half:]  # Jürgen Müller is in the south file
    orders = [
        [line.order_number, line.product, line.quantity, _german_amount(line.amount), line.customer,
         line.ordered_at.strftime("%Y-%m-%d %H:%M:%S")]
        for line in lines
    ]  # fmt: skip
    folder = lake / "acme"
    return {
        "acme.customers": write_csv(
            folder / "kunden_süd.csv",
            CONTACT_HEADER_B1,
            [_german_contact(person, CONTACT_HEADER_B1) for person in south],
            delimiter=";",
            encoding="latin-1",
        )
        + write_csv(
            folder / "kunden_nord.csv",
            CONTACT_HEADER_B2,
            [_german_contact(person, CONTACT_HEADER_B2) for person in north],
            delimiter=";",
            encoding="latin-1",
        ),
        "acme.orders": write_csv(folder / "bestellungen.csv", ORDER_HEADER_B, orders, delimiter=";"),
    }


MAPPING_B: dict[str, dict[str, Any]] = {
    "customers": {
        "path": "acme/kunden_*.csv",
        "format": "csv",
        "delimiter": ";",
        "encoding": "latin-1",
        "entity": "contact",
        "date_format": "DD.MM.YYYY",
        "columns": {
            "source_record_id": "Kunden Nr",
            "first_name": "Vorname",
            "last_name": "Nachname",
            "email_address_1": "E-Mail",
            "telephone_1": "Telefon",
            "mobile_phone": "Handy",
            "address_1_line_1": "Straße",
            "address_1_line_2": "Adresszusatz",
            "address_1_city": "Ort",
            "address_1_state_or_province": "Bundesland",
            "address_1_postal_code": "PLZ",
            "address_1_country": "Land",
            "birth_date": "Geburtsdatum",
        },
    },
    "orders": {
        "path": "acme/bestellungen.csv",
        "format": "csv",
        "delimiter": ";",
        "decimal_separator": ",",
        "entity": "sales_order",
        "columns": {
            "order_number": "Bestellnummer",
            "customer_source_record_id": "Kunde",
            "ordered_at": {"column": "Bestellt am", "format": "YYYY-MM-DD HH:MM:SS"},
            "product_id": "Artikel",
            "quantity": "Menge",
            "extended_amount": "Betrag",
        },
    },
}


# ---- Layout C: nested JSON lines (contacts) and Parquet with epoch seconds (orders) ------------------------------


def _json_contact(person: Person) -> dict[str, Any]:
    address: dict[str, Any] = {"street": person.street, "city": person.city, "zip": person.postal_code}
    if person.line_2 is not None:
        address["extra"] = person.line_2
    if person.state is not None:
        address["region"] = person.state
    address["country"] = person.country.capitalize()
    record: dict[str, Any] = {
        "id": person.number,
        "name": {"first": person.first_name, "last": person.last_name},
        "contact": {"email": person.email, "phone": person.phone, "mobile": person.mobile},
        "address": address,
        "legacy": {"erp_customer_no": person.erp_number},
    }
    if person.birth_date is not None:
        record["born"] = person.birth_date.isoformat()
    return record


def _order_table(lines: Sequence[OrderLine]) -> pa.Table:
    return pa.table(
        {
            "order_no": pa.array([line.order_number for line in lines], pa.string()),
            "customer": pa.array([line.customer for line in lines], pa.int64()),
            "ts": pa.array([int(line.ordered_at.timestamp()) for line in lines], pa.int64()),
            "sku": pa.array([line.product for line in lines], pa.string()),
            "qty": pa.array([line.quantity for line in lines], pa.int64()),
            "amount": pa.array([float(line.amount) for line in lines], pa.float64()),
        }
    )


def write_layout_c(lake: Path, population: Sequence[Person], lines: Sequence[OrderLine]) -> RowCounts:
    folder = lake / "acme"
    (folder / "orders").mkdir(parents=True, exist_ok=True)
    # Two Parquet files, split between orders (an order's lines stay in one file, in order).
    numbers = sorted({line.order_number for line in lines})
    first_half = set(numbers[: len(numbers) // 2])
    parts = [[line for line in lines if line.order_number in first_half]]
    parts.append([line for line in lines if line.order_number not in first_half])
    for number, part in enumerate(parts):
        pq.write_table(_order_table(part), folder / "orders" / f"part-{number}.parquet")
    return {
        "acme.customers": write_jsonl(folder / "customers.jsonl", [_json_contact(person) for person in population]),
        "acme.orders": sum(len(part) for part in parts),
    }


MAPPING_C: dict[str, dict[str, Any]] = {
    "customers": {
        "path": "acme/customers.jsonl",
        "format": "jsonl",
        "entity": "contact",
        "columns": {
            "source_record_id": "$.id",
            "first_name": "$.name.first",
            "last_name": "$.name.last",
            "email_address_1": "$.contact.email",
            "telephone_1": "$.contact.phone",
            "mobile_phone": "$.contact.mobile",
            "address_1_line_1": "$.address.street",
            "address_1_line_2": "$.address.extra",
            "address_1_city": "$.address.city",
            "address_1_state_or_province": "$.address.region",
            "address_1_postal_code": "$.address.zip",
            "address_1_country": "$.address.country",
            "birth_date": "$.born",
        },
    },
    "orders": {
        "path": "acme/orders/*.parquet",
        "format": "parquet",
        "entity": "sales_order",
        "columns": {
            "order_number": "order_no",
            "customer_source_record_id": "customer",
            "ordered_at": {"column": "ts", "format": "EPOCH"},
            "product_id": "sku",
            "quantity": "qty",
            "extended_amount": "amount",
        },
    },
}


@dataclass(frozen=True)
class Layout:
    name: str
    write: Callable[[Path, Sequence[Person], Sequence[OrderLine]], RowCounts]
    mapping: dict[str, dict[str, Any]]


LAYOUTS = {
    "A": Layout("A", write_layout_a, MAPPING_A),
    "B": Layout("B", write_layout_b, MAPPING_B),
    "C": Layout("C", write_layout_c, MAPPING_C),
}


# ---------------------------------------------------------------------------------------------------------------
# kiosk: an order log without order ids, products or currencies, and its contacts
# ---------------------------------------------------------------------------------------------------------------

KIOSK_PEOPLE = [
    ("K1", "Wilma", "Vogt", "wilma.vogt@kiosk.example"),
    ("K2", "Xaver", "Wagner", "xaver.wagner@kiosk.example"),
    ("K3", "Yvonne", "Zimmer", "yvonne.zimmer@kiosk.example"),
]
# (customer, date, quantity, amount): every row is an order of its own
KIOSK_ORDERS = [
    ("K1", "2025-02-03", "2", "4.80"),
    ("K1", "2025-06-11", "1", "2.40"),
    ("K2", "2025-03-15", "3", "7.50"),
    ("K3", "2025-04-01", "1", "12.00"),
    ("K3", "2025-04-01", "1", "3.30"),
    ("K3", "2025-09-09", "2", "6.60"),
]

KIOSK_MAPPING: dict[str, dict[str, Any]] = {
    "customers": {
        "path": "kiosk/kunden.csv",
        "format": "csv",
        "entity": "contact",
        "columns": {"source_record_id": "id", "first_name": "name", "last_name": "surname", "email_address_1": "email"},
    },
    "sales": {
        "path": "kiosk/kassenbuch.csv",
        "format": "csv",
        "entity": "sales_order",
        "columns": {
            "customer_source_record_id": "customer",
            "ordered_at": "date",
            "quantity": "qty",
            "extended_amount": "amount",
        },
    },
}


def write_kiosk(lake: Path) -> RowCounts:
    folder = lake / "kiosk"
    return {
        "kiosk.customers": write_csv(folder / "kunden.csv", ["id", "name", "surname", "email"], KIOSK_PEOPLE),
        "kiosk.sales": write_csv(folder / "kassenbuch.csv", ["customer", "date", "qty", "amount"], KIOSK_ORDERS),
    }


# ---------------------------------------------------------------------------------------------------------------
# messy: bad input, one defect per row, and a file whose header lacks the key column
# ---------------------------------------------------------------------------------------------------------------

MESSY_CONTACT_HEADER = ["Kundennr", "Vorname", "Nachname", "E-Mail", "Geburtstag"]
# data rows of messy/contacts.csv; line numbers count the header as line 1
MESSY_CONTACTS = [
    ("M1", "Paula", "Quast", "paula.quast@messy.example", "01.02.1980"),  # line 2: good
    ("", "Otto", "Ohnekey", "otto@messy.example", "03.04.1970"),  # line 3: no key -> missing_key
    ("M3", "Rudi", "Rasmussen", "rudi@messy.example", "05.06.1990"),  # line 4: good
    ("M3", "Rudolf", "Rasmussen", "rudolf@messy.example", "05.06.1990"),  # line 5: same key -> duplicate_record
    ("M5", "Sina", "Sommer", "sina@messy.example", "30.02.1985"),  # line 6: no such day -> birth_date NULL
    ("M6", "Tom", "Tauber", "tom(at)messy", "07.08.1975"),  # line 7: not an e-mail -> email_address_1 NULL
]
MESSY_LATE_HEADER = ["Vorname", "Nachname", "E-Mail", "Geburtstag"]  # no Kundennr
MESSY_LATE_CONTACTS = [
    ("Ulla", "Urban", "ulla@messy.example", "09.10.1965"),
    ("Veit", "Vollmer", "veit@messy.example", "11.12.1999"),
]
MESSY_ORDER_HEADER = ["Bestellnr", "Kunde", "Datum", "Betrag"]
MESSY_ORDERS = [
    ("B-1", "M1", "2025-05-01", "10.00"),  # line 2: good
    ("B-2", "M3", "2025-05-02", "-5.00"),  # line 3: negative amount -> quarantined
    ("", "M5", "2025-05-03", "7.50"),  # line 4: no order number -> its own order, keyed by file and line
]

MESSY_MAPPING: dict[str, dict[str, Any]] = {
    "contacts": {
        "path": "messy/contacts*.csv",
        "format": "csv",
        "entity": "contact",
        "date_format": "DD.MM.YYYY",
        "columns": {
            "source_record_id": "Kundennr",
            "first_name": "Vorname",
            "last_name": "Nachname",
            "email_address_1": "E-Mail",
            "birth_date": "Geburtstag",
        },
    },
    "orders": {
        "path": "messy/orders.csv",
        "format": "csv",
        "entity": "sales_order",
        "columns": {
            "order_number": "Bestellnr",
            "customer_source_record_id": "Kunde",
            "ordered_at": "Datum",
            "extended_amount": "Betrag",
        },
    },
}


def write_messy(lake: Path) -> RowCounts:
    folder = lake / "messy"
    contacts = write_csv(folder / "contacts.csv", MESSY_CONTACT_HEADER, MESSY_CONTACTS)
    contacts += write_csv(folder / "contacts_late.csv", MESSY_LATE_HEADER, MESSY_LATE_CONTACTS)
    return {
        "messy.contacts": contacts,
        "messy.orders": write_csv(folder / "orders.csv", MESSY_ORDER_HEADER, MESSY_ORDERS),
    }
