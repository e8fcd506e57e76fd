"""The checkpoint action that keeps personal data out of GX's stores and Data Docs.

Imports great_expectations at module level, so it is imported only from inside functions
(`pantau.quality.gx_project`), never by anything a DAG file imports.
"""

from __future__ import annotations

from typing import Literal

from great_expectations.checkpoint.actions import UpdateDataDocsAction
from great_expectations.compatibility.pydantic import Field

from pantau.quality.masking import mask_result_payload


class MaskedDataDocsAction(UpdateDataDocsAction):
    """Mask personal-data values in the validation results and store them.

    Pantau's checkpoint runs (`gx_project.run_checkpoint`) validate without storing: this action
    (sorted first, as an UpdateDataDocsAction) writes the only copy, masked, so the results store
    and the HTML site only ever keep the shape of a passport number or name. (Run through GX's
    own `Checkpoint.run`, which stores first, it overwrites that copy the same way.) It does not render
    the site: per validation that cost seconds to minutes as results piled up, so Data Docs are
    rebuilt once per pipeline run (`pantau.pipeline.update_data_docs`).
    """

    type: Literal["pantau_masked_data_docs"] = "pantau_masked_data_docs"
    pii_columns: list[str] = Field(default_factory=list)

    def run(self, checkpoint_result, action_context=None) -> dict:  # type: ignore[override]
        store = self._resolve_context().context.validation_results_store
        for identifier, suite_result in checkpoint_result.run_results.items():
            for result in suite_result.results:
                kwargs = result.expectation_config.kwargs if result.expectation_config else {}
                columns = [kwargs[k] for k in ("column", "column_A", "column_B") if k in kwargs]
                columns += list(kwargs.get("column_list") or [])
                if result.result:
                    mask_result_payload(result.result, self.pii_columns, columns)
            store.set(identifier, suite_result)
        return {}
