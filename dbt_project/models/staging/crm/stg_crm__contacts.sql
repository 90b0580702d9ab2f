-- Generated from models/staging/crm/_crm__sources.yml by `python -m orchestration.lake_mappings`; do not edit.
{{ lake_mapped_contacts('crm', 'contacts') }}
