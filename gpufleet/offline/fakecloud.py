"""The cloud as the offline preview imagines it: resource outputs and lookup (invoke) answers.

Offline there is no cloud to ask. Answers are derived only from the resource's or invoke's inputs
and the region or location of the provider in use, so a preview never changes between runs.

A lookup gets, in this order: a plausible answer a cloud adapter gives (`CloudAdapter.offline_answers`:
availability zones, AMIs, client configuration, …); what a provider computes itself without the
cloud, computed the same way (`LOCAL_INVOKES`: Kubernetes YAML decoding); otherwise a generic answer shaped by the SDK's own result type, with strings
that say they were looked up offline and unknown numbers; otherwise (no installed SDK declares the
result) an unknown result. Every answer is checked against the result type the SDK declares, so a
program never gets a value its SDK would reject. Only what a real preview would refuse too (an AWS
provider without a region) fails, with `UnansweredInvoke` naming the token.
"""

from __future__ import annotations

import yaml

from gpufleet.clouds import adapter_for_type, offline_answer
from gpufleet.clouds.offline import NotEmulated, OfflineUnsupported, ProviderConfig, UnansweredInvoke
from gpufleet.offline import shapes
from gpufleet.pulumi_private import UNKNOWN, output_property_types, unwrap_secrets

# The lookup errors live with the cloud adapters, which raise them; the offline engine catches them.
__all__ = ["LOOKUP_GENERIC", "LOOKUP_SPECIFIC", "LOOKUP_UNKNOWN", "OfflineUnsupported", "STACK_REFERENCE_GIVEN",
           "STACK_REFERENCE_UNKNOWN", "UnansweredInvoke", "INVOKED_BY",
           "answer_invoke", "resource_state", "stack_reference_state"]


# How a lookup was answered offline (ProgramRun.lookups); none of them is real data.
LOOKUP_SPECIFIC = "plausible offline answer"
LOOKUP_GENERIC = "placeholders shaped by the SDK's result type"
LOOKUP_UNKNOWN = "unknown at preview"


def resource_state(type_: str, name: str, inputs: dict, provider: ProviderConfig, read_id: str = "") -> dict:
    """The output state of a custom resource as a preview sees it: its inputs, plus what programs
    commonly read that follows from them (its cloud adapter's `preview_state`: an Azure `name`, the
    ARN of an AWS resource read by id). Outputs only the cloud computes (an ARN, an IP) are left out,
    which the SDK resolves as unknown at preview."""
    state = dict(inputs)
    cloud = adapter_for_type(type_)
    if cloud is not None:
        for key, value in cloud.preview_state(type_, name, inputs, unwrap_secrets(provider), read_id).items():
            state.setdefault(key, value)
    return state


# How a `StackReference` was answered, in `ProgramRun.lookups` under "pulumi:pulumi:StackReference <name>".
STACK_REFERENCE_UNKNOWN = "outputs unknown at preview: pass --stack-reference NAME=FILE"
STACK_REFERENCE_GIVEN = "outputs from --stack-reference"


def stack_reference_state(stack_name: object, exports: dict[str, dict]) -> dict:
    """A `StackReference`'s state: the other stack's outputs as the user passed them, else unknown
    (as at preview before that stack is read)."""
    outputs = exports.get(stack_name) if isinstance(stack_name, str) else None
    return {"name": stack_name, "outputs": UNKNOWN if outputs is None else outputs, "secretOutputNames": []}


def _decode_kubernetes_yaml(args: dict) -> dict:
    """`kubernetes:yaml:decode`, which `pulumi_kubernetes.yaml.ConfigFile`/`ConfigGroup` (v1) call to
    split a manifest into objects: the provider parses the text itself, so a preview sees the objects.
    Empty documents are dropped, as the provider does."""
    try:
        documents = list(yaml.safe_load_all(args.get("text") or ""))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        raise OfflineUnsupported(f"kubernetes:yaml:decode: the manifest is not valid YAML: {at}"
                                 f"{getattr(exc, 'problem', None) or exc}") from None
    return {"result": [doc for doc in documents if doc is not None]}


# Invokes a provider answers without its cloud, computed as it does: real data, not a lookup.
LOCAL_INVOKES = {"kubernetes:yaml:decode": _decode_kubernetes_yaml}
# The components that make these invokes from their own tasks, where no frame of the program is: a
# failure is placed where the program declared the last of them.
INVOKED_BY = {"kubernetes:yaml:decode": ("kubernetes:yaml:ConfigFile", "kubernetes:yaml:ConfigGroup")}


def answer_invoke(token: str, args: dict, provider: ProviderConfig) -> tuple[dict | None, str | None]:
    """The result of invoke `token` in wire (camelCase) names, None when it is unknown, and how it
    was answered (LOOKUP_*; None: computed as the provider computes it, `LOCAL_INVOKES`);
    `UnansweredInvoke` when a real preview would fail too."""
    args, provider = unwrap_secrets(args), unwrap_secrets(provider)
    if token in LOCAL_INVOKES:
        return LOCAL_INVOKES[token](args), None
    result_type = shapes.invoke_result_type(token)
    answer = offline_answer(token)  # a cloud adapter's own answers
    if answer is not None:
        try:
            result = {key: value for key, value in answer(token, args, provider).items() if value is not None}
        except NotEmulated:
            pass
        except LookupError as missing:  # the lookup needs a setting the stack does not configure
            raise UnansweredInvoke(token, str(missing), getattr(missing, "setting", None)) from None
        else:
            return (shapes.fitted(result, output_property_types(result_type), misfit=None) if result_type else result), LOOKUP_SPECIFIC
    if result_type is None:
        return None, LOOKUP_UNKNOWN
    return shapes.shaped_answer(result_type, args), LOOKUP_GENERIC

