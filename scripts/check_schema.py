#!/usr/bin/env python3
"""Validates experiment files against schemas/experiment.schema.json with the jsonschema
package (Draft 2020-12). Prints one line per file and exits 1 if any file fails."""
import json
import pathlib
import sys

import jsonschema
import yaml

root = pathlib.Path(__file__).resolve().parent.parent
schema = json.loads((root / "schemas" / "experiment.schema.json").read_text())
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

failed = False
for name in sys.argv[1:]:
    document = yaml.safe_load(pathlib.Path(name).read_text())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    if errors:
        failed = True
        for error in errors:
            print(f"{name}: {'.'.join(map(str, error.path)) or '(root)'}: {error.message}")
    else:
        print(f"{name}: valid")
sys.exit(1 if failed else 0)
