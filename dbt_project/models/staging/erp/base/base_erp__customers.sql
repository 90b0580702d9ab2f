-- Generated from models/staging/erp/_erp__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
{{ lake_mapped_base('erp', 'customers') }}
