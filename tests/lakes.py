"""Small hand-made raw lakes for the staging tests, written to the contract in seeds_data/README.md.

`write_lake(root)` writes a few rows per lake file, including deliberate defects (each listed in
`DEFECTS`); `write_corrupted_lake(root)` adds structural damage (broken JSON, wrong Parquet types, an
empty file, a header-only file, a missing folder); `write_partial_lake(root, systems)` keeps only some
source folders. `count_lake_rows(root)` counts the data rows of every declared lake file with plain
Python (gzip, pyarrow), independently of dbt, for reconciliation.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

# source table -> (glob under the lake root, format)
LAKE_FILES: dict[str, tuple[str, str]] = {
    "crm.contacts": ("crm/contacts.csv", "csv"),
    "erp.customers": ("erp/customers.csv", "csv"),
    "erp.sales_orders": ("erp/sales_orders.csv", "csv"),
    "erp.sales_order_lines": ("erp/sales_order_lines.csv", "csv"),
    "shop.accounts": ("shop/accounts.jsonl", "jsonl"),
    "shop.orders": ("shop/orders/orders-*.jsonl.gz", "jsonl"),
    "pos.transactions": ("pos/transactions/pos_*.parquet", "parquet"),
    "pos.loyalty_members": ("pos/loyalty_members.csv", "csv"),
    "web.clickstream": ("web/clickstream/dt=*/events.jsonl.gz", "jsonl"),
    "game.telemetry": ("game/telemetry/telemetry_*.jsonl.gz", "jsonl"),
    "game.players": ("game/players.csv", "csv"),
    "marketing.campaigns": ("marketing/campaigns.csv", "csv"),
    "marketing.offers": ("marketing/offers.csv", "csv"),
    "marketing.exposures": ("marketing/exposures.csv.gz", "csv"),
    "reference.products": ("reference/products.csv", "csv"),
    "reference.stores": ("reference/stores.csv", "csv"),
    "reference.fx_rates": ("reference/fx_rates.csv", "csv"),
    "reference.geoip_blocks": ("reference/geoip/GeoLite2-City-Blocks-IPv4.csv", "csv"),
    "reference.geoip_locations": ("reference/geoip/GeoLite2-City-Locations-en.csv", "csv"),
}

HEADERS: dict[str, list[str]] = {
    "crm.contacts": [
        "contactid",
        "firstname",
        "lastname",
        "emailaddress1",
        "telephone1",
        "mobilephone",
        "address1_line1",
        "address1_city",
        "address1_postalcode",
        "address1_country",
        "birthdate",
        "createdon",
        "modifiedon",
        "donotbulkemail",
        "new_erpcustomernumber",
    ],  # fmt: skip
    "erp.customers": [
        "KUNNR",
        "NAME1",
        "STRAS",
        "PSTLZ",
        "ORT01",
        "LAND1",
        "TELF1",
        "SMTP_ADDR",
        "GBDAT",
        "ERDAT",
        "AEDAT",
    ],  # fmt: skip
    "erp.sales_orders": ["VBELN", "KUNNR", "AUDAT", "ERZET", "WAERK", "NETWR"],
    "erp.sales_order_lines": ["VBELN", "POSNR", "MATNR", "KWMENG", "VRKME", "NETPR", "NETWR", "WAERK"],
    "pos.loyalty_members": [
        "card_id",
        "first_name",
        "last_name",
        "email",
        "mobile",
        "zip",
        "birth_date",
        "enrolled_on",
        "home_store_id",
        "opt_in_sms",
    ],  # fmt: skip
    "game.players": ["player_id", "gamer_tag", "email", "country", "birth_year", "created_at"],
    "marketing.campaigns": [
        "campaign_id",
        "campaign_name",
        "channel",
        "campaign_type",
        "target_category",
        "start_date",
        "end_date",
        "budget_eur",
        "holdout_share",
    ],  # fmt: skip
    "marketing.offers": [
        "offer_id",
        "campaign_id",
        "offer_type",
        "sku",
        "category",
        "discount_pct",
        "valid_from",
        "valid_to",
    ],  # fmt: skip
    "marketing.exposures": [
        "exposure_id",
        "campaign_id",
        "offer_id",
        "recipient_type",
        "recipient_id",
        "group",
        "assigned_at",
        "sent_at",
        "clicked_at",
    ],  # fmt: skip
    "reference.products": ["sku", "product_name", "category", "brand", "list_price_eur", "launched_on"],
    "reference.stores": ["store_id", "store_name", "street", "postcode", "city", "region", "country", "opened_on"],
    "reference.fx_rates": ["currency_code", "eur_per_unit"],
    "reference.geoip_blocks": [
        "network",
        "geoname_id",
        "registered_country_geoname_id",
        "represented_country_geoname_id",
        "is_anonymous_proxy",
        "is_satellite_provider",
        "postal_code",
        "latitude",
        "longitude",
        "accuracy_radius",
    ],  # fmt: skip
    "reference.geoip_locations": [
        "geoname_id",
        "locale_code",
        "continent_code",
        "continent_name",
        "country_iso_code",
        "country_name",
        "subdivision_1_iso_code",
        "subdivision_1_name",
        "subdivision_2_iso_code",
        "subdivision_2_name",
        "city_name",
        "metro_code",
        "time_zone",
        "is_in_european_union",
    ],  # fmt: skip
}

# Every defect write_lake() injects: (file under the lake root, row key, defect). Row keys follow
# seeds_data/truth/malformed_rows.csv: the record key, or line:N (physical line, header = 1).
DEFECTS: list[tuple[str, str, str]] = [
    ("crm/contacts.csv", "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "duplicate_record"),
    ("crm/contacts.csv", "3c9f8e2a-1d4b-4e5f-9a8b-7c6d5e4f3a2b", "bad_date"),
    ("crm/contacts.csv", "line:7", "missing_key"),
    ("erp/customers.csv", "0000100003", "bad_date"),
    ("erp/sales_orders.csv", "4500000003", "unknown_currency"),
    ("erp/sales_orders.csv", "4500000004", "unknown_customer"),
    ("erp/sales_order_lines.csv", "4500000001|000020", "negative_quantity"),
    ("erp/sales_order_lines.csv", "4500000002|000020", "unknown_sku"),
    ("shop/accounts.jsonl", "line:4", "broken_json"),
    ("shop/accounts.jsonl", "line:5", "missing_key"),
    ("shop/orders/orders-2025-06.jsonl.gz", "WS-00000003", "negative_quantity"),
    ("shop/orders/orders-2025-06.jsonl.gz", "line:4", "broken_json"),
    ("shop/orders/orders-2025-07.jsonl.gz", "WS-00000001", "duplicate_record"),
    ("shop/orders/orders-2025-07.jsonl.gz", "WS-00000005", "unknown_customer"),
    ("pos/transactions/pos_20250601.parquet", "S001-20250601-00002|1", "unknown_sku"),
    ("pos/transactions/pos_20250602.parquet", "S009-20250602-00001|1", "unknown_store"),
    ("pos/transactions/pos_20250602.parquet", "S002-20250602-00002|1", "duplicate_record"),
    ("pos/loyalty_members.csv", "7310000000003", "bad_date"),
    ("web/clickstream/dt=2025-06-14/events.jsonl.gz", "line:3", "broken_json"),
    ("web/clickstream/dt=2025-06-15/events.jsonl.gz", "ev-0005", "unknown_sku"),
    ("game/telemetry/telemetry_20250614.jsonl.gz", "gm-0003", "bad_date"),
    ("game/telemetry/telemetry_20250614.jsonl.gz", "gm-0004", "unknown_currency"),
    ("game/players.csv", "P-00000003", "duplicate_record"),
    ("marketing/offers.csv", "OF-0003", "unknown_campaign"),
    ("marketing/exposures.csv.gz", "EX-0004", "bad_date"),
    ("reference/products.csv", "SKU-00006", "bad_number"),
]

CRM_1 = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
CRM_2 = "6fa459ea-ee8a-3ca4-894e-db77e160355e"
CRM_3 = "3c9f8e2a-1d4b-4e5f-9a8b-7c6d5e4f3a2b"
CRM_4 = "9d5ed678-fe57-4ccb-8a6c-3a0f2b3e1c7d"


def _write_text(path: Path, lines: Iterable[str], *, gz: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = "".join(f"{line}\n" for line in lines).encode()
    if gz:
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out:
            out.write(data)
    else:
        path.write_bytes(data)


def _csv(path: Path, table: str, rows: list[str], *, delimiter: str = ",", gz: bool = False) -> None:
    _write_text(path, [delimiter.join(HEADERS[table]), *rows], gz=gz)


def _jsonl(path: Path, records: list[dict | str], *, gz: bool = False) -> None:
    _write_text(path, [r if isinstance(r, str) else json.dumps(r) for r in records], gz=gz)


def _pos_table(rows: list[dict]) -> pa.Table:
    schema = pa.schema(
        [
            ("transaction_id", pa.string()),
            ("store_id", pa.string()),
            ("register_id", pa.int32()),
            ("transaction_ts", pa.timestamp("us", tz="UTC")),
            ("loyalty_card_id", pa.string()),
            ("line_no", pa.int32()),
            ("sku", pa.string()),
            ("quantity", pa.int32()),
            ("unit_price", pa.float64()),
            ("discount", pa.float64()),
            ("currency", pa.string()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def _pos_row(txn: str, store: str, ts: str, card: str | None, line: int, sku: str, qty: int, price: float):
    return {
        "transaction_id": txn,
        "store_id": store,
        "register_id": 1,
        "transaction_ts": datetime.fromisoformat(ts).replace(tzinfo=UTC),
        "loyalty_card_id": card,
        "line_no": line,
        "sku": sku,
        "quantity": qty,
        "unit_price": price,
        "discount": 0.0,
        "currency": "EUR",
    }


def write_lake(root: Path) -> Path:
    """Write the full hand-made lake under `root` (created); returns `root`."""
    root.mkdir(parents=True, exist_ok=True)

    # reference ------------------------------------------------------------------------------------
    _csv(
        root / "reference/products.csv",
        "reference.products",
        [
            "SKU-00001,Trail Shoe,shoes,Acme,89.90,2024-03-01",
            'SKU-00002,"Rain Jacket, Men",apparel,Acme,129.00,2024-09-15',
            "SKU-00003,Water Bottle,accessories,Hydra,14.50,2023-05-01",
            "SKU-00004,Wool Socks,apparel,Knit,9.99,2025-01-10",
            "SKU-00005,Head Lamp,accessories,Lumo,34.00,2025-02-01",
            "SKU-00006,Broken Price,accessories,Lumo,12;50,2025-02-01",
        ],
    )
    _csv(
        root / "reference/stores.csv",
        "reference.stores",
        [
            "S001,Berlin Mitte,Friedrichstr. 1,10117,Berlin,Berlin,DE,2019-04-01",
            "S002,London Soho,12 Dean St,W1D 3RP,London,England,GB,2020-10-15",
        ],
    )
    _csv(
        root / "reference/fx_rates.csv",
        "reference.fx_rates",
        ["EUR,1.0", "GBP,1.17", "SEK,0.088", "USD,0.92", "CHF,1.04"],
    )
    _csv(
        root / "reference/geoip/GeoLite2-City-Blocks-IPv4.csv",
        "reference.geoip_blocks",
        [
            "81.2.69.0/24,2643743,2635167,,0,0,W1D,51.5142,-0.0931,20",
            "85.214.0.0/15,2950159,2921044,,0,0,10117,52.5244,13.4105,50",
            "10.0.0.1/8,2950159,2921044,,0,0,,52.5244,13.4105,1000",
        ],
    )
    _csv(
        root / "reference/geoip/GeoLite2-City-Locations-en.csv",
        "reference.geoip_locations",
        [
            "2643743,en,EU,Europe,GB,United Kingdom,ENG,England,,,London,,Europe/London,0",
            "2950159,en,EU,Europe,DE,Germany,BE,Berlin,,,Berlin,,Europe/Berlin,1",
        ],
    )

    # crm -----------------------------------------------------------------------------------------
    _csv(
        root / "crm/contacts.csv",
        "crm.contacts",
        [
            f'{CRM_1},Jane,Doe,Jane.Doe@example.com,+44 20 7946 0958,,"12 High St, Flat 2",London,SW1A 1AA,GB,'
            "1988-04-12,2025-06-03T10:15:00Z,2026-01-20T08:00:00Z,0,0000100001",
            f"{CRM_2},Max,Mustermann,max@example.de,030/1234567,0170 1234567,Friedrichstr. 5,Berlin,10117,DE,"
            ",2025-07-01T09:00:00Z,2025-07-01T09:00:00Z,1,",
            f"{CRM_4},  Bob ,Smith,,,,,,,,1975-11-30,2025-08-01T12:00:00Z,2025-08-02T12:00:00Z,0,",
            f"{CRM_1},Jane,Doe,jane.doe@example.com,,,,London,,GB,1988-04-12,2025-06-04T10:15:00Z,"
            "2025-06-04T10:15:00Z,0,",
            f"{CRM_3},Erik,Berg,erik@example.se,,,,Stockholm,11122,SE,1990-02-30,2025-06-10T10:00:00Z,"
            "2025-06-10T10:00:00Z,0,",
            ",No,Key,nokey@example.com,,,,,,,,2025-06-10T10:00:00Z,2025-06-10T10:00:00Z,0,",
        ],
    )

    # erp -----------------------------------------------------------------------------------------
    _csv(
        root / "erp/customers.csv",
        "erp.customers",
        [
            "0000100001;DOE, Jane;High St 12;SW1A 1AA;London;GB;+44 20 7946 0958;jane.doe@example.com;"
            "19880412;20250601;20260115",
            "0000100002;MUSTERMANN, Max;Friedrichstr. 5;10117;Berlin;DE;030 1234567;;00000000;20250602;20250602",
            "0000100003;BERG, Erik;Storgatan 1;11122;Stockholm;SE;;;19900215;2025-06-03;20250603",
        ],
        delimiter=";",
    )
    _csv(
        root / "erp/sales_orders.csv",
        "erp.sales_orders",
        [
            "4500000001;0000100001;20250614;180211;EUR;109,88",
            "4500000002;0000100002;20250615;090000;GBP;129,00",
            "4500000003;0000100001;20250616;100000;XYZ;10,00",
            "4500000004;0000199999;20250617;110000;EUR;14,50",
        ],
        delimiter=";",
    )
    _csv(
        root / "erp/sales_order_lines.csv",
        "erp.sales_order_lines",
        [
            "4500000001;000010;SKU-00001;1,000;ST;89,90;89,90;EUR",
            "4500000001;000020;SKU-00004;-2,000;ST;9,99;-19,98;EUR",
            "4500000001;000030;SKU-00004;2,000;ST;9,99;19,98;EUR",
            "4500000002;000010;SKU-00002;1,000;ST;129,00;129,00;GBP",
            "4500000002;000020;SKU-99999;1,000;ST;5,00;5,00;GBP",
            "4500000003;000010;SKU-00003;1,000;ST;10,00;10,00;XYZ",
            "4500000004;000010;SKU-00003;1,000;ST;14,50;14,50;EUR",
            "4500000009;000010;SKU-00003;1,000;ST;14,50;14,50;EUR",
        ],
        delimiter=";",
    )

    # shop ----------------------------------------------------------------------------------------
    _jsonl(
        root / "shop/accounts.jsonl",
        [
            {
                "account_id": "A7F3K2Q9",
                "email": "Jane.Doe@example.com",
                "first_name": "Jane",
                "last_name": "Doe",
                "phone": "+44 20 7946 0958",
                "birthday": "1988-04-12",
                "default_address": {"street": "12 High St", "city": "London", "zip": "SW1A 1AA", "country": "GB"},
                "loyalty_card": "7310000000001",
                "newsletter": True,
                "created_at": "2025-06-03T10:15:00+01:00",
                "updated_at": "2026-01-20T08:00:00+00:00",
            },
            {
                "account_id": "B2C4D6E8",
                "email": "max@example.de",
                "first_name": "Max",
                "last_name": "Mustermann",
                "phone": None,
                "birthday": None,
                "default_address": None,
                "loyalty_card": None,
                "newsletter": False,
                "created_at": "2025-06-05T08:00:00+02:00",
                "updated_at": "2025-06-05T08:00:00+02:00",
            },
            {
                "account_id": "Z9Y8X7W6",
                "email": "zed@example.com",
                "first_name": "Zed",
                "last_name": "Zulu",
                "created_at": "2025-06-06T08:00:00Z",
                "updated_at": "2025-06-06T08:00:00Z",
            },
            '{"account_id": "BROKEN01", "email": ',
            {"email": "nokey@example.com", "created_at": "2025-06-06T08:00:00Z"},
        ],
    )
    order_1 = {
        "order_id": "WS-00000001",
        "account_id": "A7F3K2Q9",
        "created_at": "2025-06-14T18:02:11+02:00",
        "currency": "EUR",
        "status": "completed",
        "offer_id": "OF-0001",
        "lines": [
            {"sku": "SKU-00001", "qty": 2, "unit_price": 19.99, "discount": 2.0},
            {"sku": "SKU-00003", "qty": 1, "unit_price": 14.5, "discount": 0},
        ],
        "shipping_fee": 4.95,
        "total": 57.43,
    }
    _jsonl(
        root / "shop/orders/orders-2025-06.jsonl.gz",
        [
            order_1,
            {
                "order_id": "WS-00000002",
                "account_id": "B2C4D6E8",
                "created_at": "2025-06-20T10:00:00+00:00",
                "currency": "GBP",
                "status": "cancelled",
                "offer_id": None,
                "lines": [{"sku": "SKU-00002", "qty": 1, "unit_price": 110.0, "discount": 0.0}],
                "shipping_fee": 0.0,
                "total": 110.0,
            },
            {
                "order_id": "WS-00000003",
                "account_id": "B2C4D6E8",
                "created_at": "2025-06-21T10:00:00+00:00",
                "currency": "EUR",
                "status": "completed",
                "offer_id": None,
                "lines": [
                    {"sku": "SKU-00004", "qty": 1, "unit_price": 9.99, "discount": 0.0},
                    {"sku": "SKU-00004", "qty": -1, "unit_price": 9.99, "discount": 0.0},
                ],
                "shipping_fee": 4.95,
                "total": 4.95,
            },
            '{"order_id": "WS-00000004", "lines": [',
        ],
        gz=True,
    )
    _jsonl(
        root / "shop/orders/orders-2025-07.jsonl.gz",
        [
            order_1,
            {
                "order_id": "WS-00000005",
                "account_id": "NOPE0000",
                "created_at": "2025-07-02T10:00:00+00:00",
                "currency": "EUR",
                "status": "completed",
                "offer_id": None,
                "lines": [{"sku": "SKU-00005", "qty": 1, "unit_price": 34.0, "discount": 0.0}],
                "shipping_fee": 0.0,
                "total": 34.0,
            },
            {
                "order_id": "WS-00000006",
                "account_id": "Z9Y8X7W6",
                "created_at": "2025-07-03T23:30:00-02:00",
                "currency": "SEK",
                "status": "completed",
                "offer_id": None,
                "lines": [{"sku": "SKU-00005", "qty": 3, "unit_price": 399.0, "discount": 50.0}],
                "shipping_fee": 49.0,
                "total": 1196.0,
            },
        ],
        gz=True,
    )

    # pos -----------------------------------------------------------------------------------------
    (root / "pos/transactions").mkdir(parents=True, exist_ok=True)
    pq.write_table(
        _pos_table(
            [
                _pos_row(
                    "S001-20250601-00001", "S001", "2025-06-01T10:00:00", "7310000000001", 1, "SKU-00001", 1, 89.9
                ),
                _pos_row(
                    "S001-20250601-00001", "S001", "2025-06-01T10:00:00", "7310000000001", 2, "SKU-00004", 3, 9.99
                ),
                _pos_row("S001-20250601-00002", "S001", "2025-06-01T11:00:00", None, 1, "SKU-77777", 1, 5.0),
                _pos_row("S001-20250601-00003", "S001", "2025-06-01T12:00:00", None, 1, "SKU-00003", 2, 14.5),
            ]
        ),
        root / "pos/transactions/pos_20250601.parquet",
    )
    pq.write_table(
        _pos_table(
            [
                _pos_row(
                    "S002-20250602-00002", "S002", "2025-06-02T10:00:00", "7310000000002", 1, "SKU-00005", 1, 34.0
                ),
                _pos_row("S009-20250602-00001", "S009", "2025-06-02T11:00:00", None, 1, "SKU-00005", 1, 34.0),
                _pos_row(
                    "S002-20250602-00002", "S002", "2025-06-02T10:00:00", "7310000000002", 1, "SKU-00005", 1, 34.0
                ),
            ]
        ),
        root / "pos/transactions/pos_20250602.parquet",
    )
    _csv(
        root / "pos/loyalty_members.csv",
        "pos.loyalty_members",
        [
            "7310000000001,Jane,Doe,jane.doe@example.com,,SW1A 1AA,12.04.1988,01.06.2025,S002,Y",
            "7310000000002,Maximilian,Mustermann,,+49 170 1234567,10117,,02.06.2025,S001,N",
            "7310000000003,Erik,Berg,,,11122,31.02.1990,03.06.2025,S001,N",
        ],
    )

    # web -----------------------------------------------------------------------------------------
    _jsonl(
        root / "web/clickstream/dt=2025-06-14/events.jsonl.gz",
        [
            {
                "event_id": "ev-0001",
                "ts": "2025-06-14T17:58:40.123Z",
                "type": "product_view",
                "cookie_id": "ck-1",
                "account_id": None,
                "ip": "81.2.69.160",
                "ua": "Mozilla/5.0",
                "url": "/p/SKU-00001",
                "sku": "SKU-00001",
                "offer_id": None,
                "order_id": None,
                "utm": {"campaign": "CMP-001", "source": "newsletter", "medium": "email"},
            },
            {
                "event_id": "ev-0002",
                "ts": "2025-06-14T18:02:30.000Z",
                "type": "purchase",
                "cookie_id": "ck-1",
                "account_id": "A7F3K2Q9",
                "ip": "81.2.69.160",
                "ua": "Mozilla/5.0",
                "url": "/checkout/done",
                "sku": "SKU-00001",
                "offer_id": None,
                "order_id": "WS-00000001",
                "utm": None,
            },
            '{"event_id": "ev-0003", "ts": "2025-06-14T18',
        ],
        gz=True,
    )
    _jsonl(
        root / "web/clickstream/dt=2025-06-15/events.jsonl.gz",
        [
            {
                "event_id": "ev-0004",
                "ts": "2025-06-15T09:00:00.000Z",
                "type": "offer_impression",
                "cookie_id": "ck-2",
                "account_id": None,
                "ip": "85.214.10.1",
                "ua": "Mozilla/5.0",
                "url": "/",
                "sku": None,
                "offer_id": "OF-0001",
                "order_id": None,
                "utm": None,
            },
            {
                "event_id": "ev-0005",
                "ts": "2025-06-15T09:01:00.000Z",
                "type": "product_view",
                "cookie_id": "ck-2",
                "account_id": None,
                "ip": "85.214.10.1",
                "ua": "Mozilla/5.0",
                "url": "/p/SKU-55555",
                "sku": "SKU-55555",
                "offer_id": None,
                "order_id": None,
                "utm": None,
            },
        ],
        gz=True,
    )

    # game ----------------------------------------------------------------------------------------
    _jsonl(
        root / "game/telemetry/telemetry_20250614.jsonl.gz",
        [
            {
                "event_id": "gm-0001",
                "event_type": "session_start",
                "ts": 1749895200123,
                "player_id": "P-00000001",
                "session_id": "s-1",
                "platform": "console",
                "game_id": "G03",
                "client_ip": "81.2.69.160",
                "payload": {},
            },
            {
                "event_id": "gm-0002",
                "event_type": "iap_purchase",
                "ts": 1749895300000,
                "player_id": "P-00000001",
                "session_id": "s-1",
                "platform": "console",
                "game_id": "G03",
                "client_ip": "81.2.69.160",
                "payload": {"item_id": "gems_500", "amount": 4.99, "currency": "GBP"},
            },
            {
                "event_id": "gm-0003",
                "event_type": "level_complete",
                "ts": "yesterday",
                "player_id": "P-00000002",
                "session_id": "s-2",
                "platform": "pc",
                "game_id": "G01",
                "client_ip": "85.214.10.1",
                "payload": {"level": 3},
            },
            {
                "event_id": "gm-0004",
                "event_type": "iap_purchase",
                "ts": 1749895400000,
                "player_id": "P-00000002",
                "session_id": "s-2",
                "platform": "pc",
                "game_id": "G01",
                "client_ip": "85.214.10.1",
                "payload": {"item_id": "gems_100", "amount": 0.99, "currency": "ZZZ"},
            },
            {
                "event_id": "gm-0005",
                "event_type": "session_end",
                "ts": 1749895500000,
                "player_id": "P-00000001",
                "session_id": "s-1",
                "platform": "console",
                "game_id": "G03",
                "client_ip": "81.2.69.160",
                "payload": {"duration_s": 300},
            },
        ],
        gz=True,
    )
    _csv(
        root / "game/players.csv",
        "game.players",
        [
            "P-00000001,JaneTheGreat,jane.doe@example.com,GB,1988,2025-06-01T10:00:00Z",
            "P-00000002,maxpower,,DE,,2025-06-02T10:00:00Z",
            "P-00000003,erikb,,SE,1990,2025-06-03T10:00:00Z",
            "P-00000003,erikb,,SE,1990,2025-06-03T10:00:00Z",
        ],
    )

    # marketing -----------------------------------------------------------------------------------
    _csv(
        root / "marketing/campaigns.csv",
        "marketing.campaigns",
        [
            "CMP-001,Summer shoes,email,upsell,shoes,2025-06-01,2025-06-30,5000.00,0.1",
            "CMP-002,Win back,in_game,retention,accessories,2025-07-01,2025-07-31,2500.50,0.2",
        ],
    )
    _csv(
        root / "marketing/offers.csv",
        "marketing.offers",
        [
            "OF-0001,CMP-001,product,SKU-00001,shoes,15,2025-06-01,2025-06-30",
            "OF-0002,CMP-002,category,,accessories,10,2025-07-01,2025-07-31",
            "OF-0003,CMP-404,category,,apparel,10,2025-07-01,2025-07-31",
        ],
    )
    _csv(
        root / "marketing/exposures.csv.gz",
        "marketing.exposures",
        [
            f"EX-0001,CMP-001,OF-0001,crm_contact,{CRM_1},treatment,2025-06-01T08:00:00Z,2025-06-01T09:00:00Z,"
            "2025-06-01T10:00:00Z",
            f"EX-0002,CMP-001,OF-0001,crm_contact,{CRM_2},holdout,2025-06-01T08:00:00Z,,",
            "EX-0003,CMP-002,OF-0002,game_player,P-00000001,treatment,2025-07-01T08:00:00Z,2025-07-01T09:00:00Z,",
            "EX-0004,CMP-002,OF-0002,loyalty_card,7310000000001,treatment,01.07.2025,,",
        ],
        gz=True,
    )
    return root


# Files write_corrupted_lake() adds that no source's path glob matches -> the file they copy.
UNREAD_FILES = {
    "shop/orders/orders-2025-09.jsonl": "shop/orders/orders-2025-06.jsonl.gz",  # not gzipped: no .gz
    "game/telemetry/telemetry_20250617.json.gz": "game/telemetry/telemetry_20250614.jsonl.gz",  # .json, not .jsonl
    "pos/transactions/pos_20250605.PARQUET": "pos/transactions/pos_20250601.parquet",  # upper-case extension
    "crm/contacts_2.csv": "crm/contacts.csv",  # a second export beside the declared file
}


def write_corrupted_lake(root: Path) -> Path:
    """The hand-made lake plus structural damage: nothing in it may be lost or crash the build silently."""
    write_lake(root)
    # broken JSON lines and a blank line in the middle of a gzip file
    _jsonl(
        root / "shop/orders/orders-2025-08.jsonl.gz",
        [
            "not json at all",
            "",
            '["an", "array", "not an object"]',
            '{"order_id": "WS-00000010", "account_id": "A7F3K2Q9", "created_at": "2025-08-01T10:00:00Z", '
            '"currency": "EUR", "status": "completed", "offer_id": null, "lines": "SKU-00001 x 2", '
            '"shipping_fee": 0, "total": 0}',
            '{"order_id": "WS-00000011", "account_id": "A7F3K2Q9", "created_at": "2025-08-02T10:00:00Z", '
            '"currency": "EUR", "status": "shipped", "offer_id": null, '
            '"lines": [{"sku": "SKU-00001", "qty": "two", "unit_price": 1, "discount": 0}], '
            '"shipping_fee": 0, "total": 0}',
            # JSON does not allow a trailing comma, nor NaN (DuckDB's reader would take both); a comma followed
            # by a bracket inside a string value is fine
            '{"order_id": "WS-00000012", "account_id": "A7F3K2Q9", "created_at": "2025-08-03T10:00:00Z", '
            '"currency": "EUR", "status": "shipped", "offer_id": null, '
            '"lines": [{"sku": "SKU-00001", "qty": 1, "unit_price": 1, "discount": 0},], "total": 1,}',
            '{"order_id": "WS-00000013", "account_id": "A7F3K2Q9", "created_at": "2025-08-04T10:00:00Z", '
            '"currency": "EUR", "status": "shipped", "offer_id": null, '
            '"lines": [{"sku": "SKU-00001", "qty": 1, "unit_price": NaN, "discount": 0}], "total": 1}',
            '{"order_id": "WS-00000014", "account_id": "A7F3K2Q9", "created_at": "2025-08-05T10:00:00Z", '
            '"currency": "EUR", "status": "note: a,] b,} NaN", "offer_id": null, '
            '"lines": [{"sku": "SKU-00001", "qty": 1, "unit_price": 1, "discount": 0}], "total": 1}',
        ],
        gz=True,
    )
    # wrong types in a Parquet file: quantity and price as strings
    pq.write_table(
        pa.table(
            {
                "transaction_id": ["S001-20250603-00001", "S001-20250603-00001"],
                "store_id": ["S001", "S001"],
                "register_id": pa.array([2, 2], pa.int32()),
                "transaction_ts": pa.array([datetime(2025, 6, 3, 9, tzinfo=UTC)] * 2, pa.timestamp("us", tz="UTC")),
                "loyalty_card_id": pa.array([None, None], pa.string()),
                "line_no": pa.array([1, 2], pa.int32()),
                "sku": ["SKU-00001", "SKU-00003"],
                "quantity": ["1", "many"],
                "unit_price": ["89.90", "14.50"],
                "discount": [0.0, 0.0],
                "currency": ["EUR", "EUR"],
            }
        ),
        root / "pos/transactions/pos_20250603.parquet",
    )
    # schema drift between Parquet files: one lacks the optional discount, one calls sku "article", one lacks the
    # required transaction time
    drifted = _pos_table(
        [_pos_row("S001-20250606-00001", "S001", "2025-06-06T09:00:00", None, 1, "SKU-00001", 1, 89.9)]
    )
    pq.write_table(drifted.drop(["discount"]), root / "pos/transactions/pos_20250606.parquet")
    renamed = _pos_table(
        [_pos_row("S001-20250607-00001", "S001", "2025-06-07T09:00:00", None, 1, "SKU-00001", 1, 89.9)]
    )
    pq.write_table(renamed.rename_columns(["article" if n == "sku" else n for n in renamed.column_names]),
                   root / "pos/transactions/pos_20250607.parquet")  # fmt: skip
    untimed = _pos_table(
        [_pos_row("S001-20250608-00001", "S001", "2025-06-08T09:00:00", None, 1, "SKU-00001", 1, 89.9)]
    )
    pq.write_table(untimed.drop(["transaction_ts"]), root / "pos/transactions/pos_20250608.parquet")
    # wrong types and a wrong field count in CSV
    with open(root / "erp/customers.csv", "a", encoding="utf-8") as out:
        out.write("0000100004;NOVAK, Jan;Ulice 1;11000;Praha;CZ;;;19851301;20250604;20250604\n")
        out.write("0000100005;too;few;fields\n")
        out.write("\n")
    # networks that are not IPv4 CIDRs: an octet above 255, a prefix above 32
    with open(root / "reference/geoip/GeoLite2-City-Blocks-IPv4.csv", "a", encoding="utf-8") as out:
        out.write("300.1.1.0/24,2950159,2921044,,0,0,,52.5244,13.4105,1\n")
        out.write("1.2.3.0/33,2950159,2921044,,0,0,,52.5244,13.4105,1\n")
    # an empty file, a file with a header only, a file whose header lacks the mapped columns but the key
    _write_text(root / "game/telemetry/telemetry_20250615.jsonl.gz", [], gz=True)
    _csv(root / "marketing/campaigns.csv", "marketing.campaigns", [])
    _write_text(
        root / "reference/geoip/GeoLite2-City-Locations-en.csv",
        ["geoname_id,city", "2643743,London", "2950159,Berlin"],
    )
    # a compressed file of zero bytes (no gzip stream): reported, left out, the other telemetry files stage
    (root / "game/telemetry/telemetry_20250618.jsonl.gz").write_bytes(b"")
    # files whose names miss their source's glob: nothing reads them, and each must be reported
    for unread, template in UNREAD_FILES.items():
        shutil.copy(root / template, root / unread)
    # a missing folder
    shutil.rmtree(root / "web")
    return root


def write_partial_lake(root: Path, systems: Iterable[str], *, only: Iterable[str] = ()) -> Path:
    """The hand-made lake with only the given source folders; `only` keeps just those sub-paths."""
    write_lake(root)
    keep = set(systems)
    for folder in list(root.iterdir()):
        if folder.name not in keep:
            shutil.rmtree(folder)
    keep_paths = [root / path for path in only]
    if keep_paths:
        for path in sorted(root.rglob("*"), reverse=True):
            if path.is_file() and not any(path == kept or kept in path.parents for kept in keep_paths):
                path.unlink()
        for path in sorted(root.rglob("*"), reverse=True):
            if path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return root


def _physical_lines(path: Path) -> list[str]:
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    text = data.decode("utf-8")
    if not text:
        return []
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def count_lake_rows(root: Path) -> dict[str, int]:
    """Data rows per source table, counted from the files: lines (minus each CSV file's header line) or
    Parquet rows. Blank and broken lines count: they are rows the staging layer must account for. Files that
    cannot be decoded are left out: the staging layer reports them as files (lake_file_issues), not rows."""
    counts: dict[str, int] = {}
    for table, (pattern, file_format) in LAKE_FILES.items():
        total = 0
        for path in sorted(root.glob(pattern)):
            try:
                if file_format == "parquet":
                    total += pq.ParquetFile(path).metadata.num_rows
                else:
                    lines = _physical_lines(path)
                    total += max(len(lines) - 1, 0) if file_format == "csv" else len(lines)
            except (EOFError, OSError, UnicodeDecodeError, pa.ArrowInvalid):
                continue  # a file no reader can decode (cut short, not gzip, not UTF-8): reported, not read
        counts[table] = total
    return counts


def blank_csv_columns(path: Path, keep: set[str], delimiter: str = ",") -> int:
    """Empty every column of a CSV lake file except `keep` (e.g. strip personal data); returns the row count."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter=delimiter))
    fieldnames = list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fieldnames, delimiter=delimiter)
        writer.writeheader()
        for row in rows:
            writer.writerow({name: (value if name in keep else "") for name, value in row.items()})
    return len(rows)


def blank_jsonl_fields(path: Path, keep: set[str]) -> int:
    """Set every top-level field of a JSON-lines lake file to null except `keep`; lines that are not JSON objects
    (the generator's injected defects) stay as they are. Returns the number of lines."""
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    out = []
    for line in lines:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            out.append(line)
            continue
        if isinstance(record, dict):
            record = {key: (value if key in keep else None) for key, value in record.items()}
        out.append(json.dumps(record))
    path.write_text("".join(line + "\n" for line in out), encoding="utf-8")
    return len(lines)


# ---- Working copies of a generated lake, for the incremental tests: hold a day back, change a day file. ----


def copy_lake(source: Path, work: Path) -> Path:
    """Copy a generated lake to work/lake (file times kept), without its curated output; returns the copy."""
    lake = work / "lake"
    shutil.copytree(source, lake, ignore=shutil.ignore_patterns("curated"))
    return lake


def hold_back_newest(folder: Path, pattern: str, work: Path) -> tuple[list[Path], Path]:
    """Move the newest (last by name) file or folder of `folder` matching `pattern` out to `work`, as if its
    day had not arrived yet. Returns every match, sorted (the held one last, at its lake path), and where it
    is held; `put_back` returns it to the lake."""
    days = sorted(folder.glob(pattern))
    held = work / days[-1].name
    shutil.move(days[-1], held)
    return days, held


def put_back(held: Path, folder: Path) -> Path:
    """Move a day held back by `hold_back_newest` into the lake folder again; returns its lake path."""
    return Path(shutil.move(held, folder / held.name))


def gz_lines(path: Path) -> list[str]:
    """The lines of a gzip text lake file (JSON lines), without line ends."""
    return gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()


def rewrite_gz_lines(path: Path, lines: list[str]) -> None:
    """Rewrite a gzip JSON-lines lake file and move its modification time an hour on (a changed fingerprint)."""
    later = path.stat().st_mtime + 3600
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8")))
    os.utime(path, (later, later))
