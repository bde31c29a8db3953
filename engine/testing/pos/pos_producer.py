"""A point-of-sale feed as a Python team writes one: kafka-python, json.dumps, naive UTC times.

It mirrors what the Spark project this app replaces did (no message key, so Kafka spreads the
records over partitions; prices drawn at random; 1 to 7 lines a basket; its own chain of 8 stores
and 15 products) so the engine is tested against a producer it does not control.

  python pos_producer.py --print-catalog                 the chain, as a Retail Pulse catalog (JSON)
  python pos_producer.py --bootstrap HOST:PORT --topic T --count N [--seed S]
"""

import argparse
import json
import random
import sys
import uuid
import warnings
from datetime import datetime

from kafka import KafkaProducer

# The chain: store id -> (name, city, region); product id -> (name, category).
SHOPS = {
    1: ("Festival Walk New Cairo", "Cairo", "New Cairo"),
    2: ("Arabia Gate October", "Giza", "6th of October"),
    3: ("Stars Centre Nasr City", "Cairo", "Nasr City"),
    4: ("Stefano Bay Plaza", "Alexandria", "Alexandria"),
    5: ("Egypt Mall Sheikh Zayed", "Giza", "Sheikh Zayed"),
    6: ("Ninety Avenue", "Cairo", "New Cairo"),
    7: ("Katameya Downtown Arcade", "Cairo", "New Cairo"),
    8: ("Almaza Centre", "Cairo", "Heliopolis"),
}
GOODS = {
    101: ("Full Cream Milk 1L", "Dairy"),
    102: ("Feta Cheese 500g", "Dairy"),
    103: ("Facial Tissues 10-pack", "Household"),
    104: ("Chocolate Croissant", "Bakery"),
    105: ("Salt & Vinegar Crisps", "Snacks"),
    106: ("Cola 1L", "Beverages"),
    107: ("Ground Turkish Coffee 250g", "Pantry"),
    108: ("Black Tea 100 bags", "Pantry"),
    109: ("Chicken Instant Noodles", "Pantry"),
    110: ("Egyptian Rice 1kg", "Pantry"),
    111: ("Laundry Gel 2.5L", "Household"),
    112: ("Honey Body Lotion", "Personal Care"),
    113: ("Frozen French Fries 1kg", "Frozen"),
    114: ("Beef Burgers 8-pack", "Frozen"),
    115: ("Peach Soda 330ml", "Beverages"),
}
REGULARS = [f"cust_{n}" for n in range(500, 700)]


def catalog():
    return {
        "stores": [
            {"store_id": i, "name": n, "city": c, "region": r} for i, (n, c, r) in SHOPS.items()
        ],
        "products": [
            {"product_id": i, "name": n, "category": c} for i, (n, c) in GOODS.items()
        ],
    }


def sale(rng):
    picked = rng.sample(sorted(GOODS), rng.randint(1, 7))
    lines = []
    total = 0.0
    for product_id in picked:
        quantity = rng.randint(1, 4)
        unit_price = round(rng.uniform(10.0, 350.0), 2)
        lines.append({"product_id": product_id, "quantity": quantity, "unit_price": unit_price})
        total += quantity * unit_price
    return {
        "transaction_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        # Naive UTC, as datetime.utcnow().isoformat() prints it (no fraction when microsecond == 0).
        "timestamp_utc": datetime.utcnow().isoformat(),
        "store_id": rng.choice(sorted(SHOPS)),
        "customer_id": rng.choice(REGULARS),
        "products": lines,
        "total_amount": round(total, 2),
    }


def main():
    args = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args.add_argument("--bootstrap")
    args.add_argument("--topic", default="sales_transactions")
    args.add_argument("--count", type=int, default=100)
    args.add_argument("--seed", type=int, default=1)
    args.add_argument("--print-catalog", action="store_true")
    opts = args.parse_args()
    if opts.print_catalog:
        json.dump(catalog(), sys.stdout, ensure_ascii=False)
        return
    if not opts.bootstrap:
        args.error("--bootstrap is required to send")
    # utcnow() is deprecated from Python 3.12 on; producers in the field still call it.
    warnings.simplefilter("ignore", DeprecationWarning)
    rng = random.Random(opts.seed)
    producer = KafkaProducer(
        bootstrap_servers=opts.bootstrap,
        value_serializer=lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8"),
        acks="all",
    )
    for _ in range(opts.count):
        producer.send(opts.topic, sale(rng))
    producer.flush()
    producer.close()
    print(json.dumps({"sent": opts.count}))


if __name__ == "__main__":
    main()
