"""The processing log over the API: public proofs and checkpoints, private entries."""

from __future__ import annotations

import base64
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response

from datameent.services import ledger, registers
from datameent.web.api.schemas import (
    CheckpointOut,
    ConsistencyProofOut,
    InclusionProofOut,
    LogLineOut,
    PublicKeyOut,
)
from datameent.web.deps import ApiUser, StoreDep, run

router = APIRouter(tags=["processing log"])

MAX_LIMIT = 1000


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@router.get("/ledger/checkpoint", response_model=CheckpointOut, response_model_by_alias=True)
async def read_checkpoint(request: Request, store: StoreDep) -> CheckpointOut:
    """The newest signed checkpoint; one is made on the spot when the log has grown."""
    key, origin = request.app.state.note_key, request.app.state.settings.log_origin
    await run(store, ledger.make_checkpoint, store, key, origin)
    latest = await run(store, ledger.latest_checkpoint, store)
    assert latest is not None
    return CheckpointOut(
        tree_size=latest.size,
        root_hash=b64(latest.root),
        note=latest.note,
        origin=origin,
        created_at=latest.created_at,
    )


@router.get("/ledger/public-key", response_model=PublicKeyOut, response_model_by_alias=True)
async def read_public_key(request: Request) -> PublicKeyOut:
    key = request.app.state.note_key
    return PublicKeyOut(
        origin=request.app.state.settings.log_origin,
        key_name=key.name,
        algorithm="Ed25519",
        public_key=b64(key.public_key),
        verifier_key=key.verifier(),
        earlier_verifier_keys=list(request.app.state.settings.earlier_verifiers()),
    )


@router.get(
    "/ledger/entries/{index}/inclusion-proof",
    response_model=InclusionProofOut,
    response_model_by_alias=True,
)
async def read_inclusion_proof(
    index: int, store: StoreDep, tree_size: Annotated[int, Query(alias="treeSize")]
) -> InclusionProofOut:
    proof = await run(store, ledger.prove_inclusion, store, index, tree_size)
    return InclusionProofOut(
        leaf_index=proof.index,
        tree_size=proof.tree_size,
        leaf_hash=b64(proof.leaf_hash),
        hashes=[b64(h) for h in proof.hashes],
    )


@router.get(
    "/ledger/consistency-proof", response_model=ConsistencyProofOut, response_model_by_alias=True
)
async def read_consistency_proof(store: StoreDep, first: int, second: int) -> ConsistencyProofOut:
    hashes = await run(store, ledger.prove_consistency, store, first, second)
    return ConsistencyProofOut(first=first, second=second, hashes=[b64(h) for h in hashes])


@router.get(
    "/persons/{person_id}/processing-log",
    response_model=list[LogLineOut],
    response_model_by_alias=True,
)
async def read_processing_log(
    request: Request,
    response: Response,
    person_id: UUID,
    user: ApiUser,
    store: StoreDep,
    before: Annotated[
        int | None, Query(ge=0, description="Only entries with a lower index (older ones).")
    ] = None,
    limit: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_LIMIT,
            description="At most this many entries; a `Link` header (rel=next) then names the "
            "next page.",
        ),
    ] = None,
) -> list[LogLineOut]:
    """The person's entries, newest first: all of them, or a page (`before`, `limit`). Paged
    by index, so entries added meanwhile (reading the log is one) do not shift the pages."""
    lines = await run(store, ledger.processing_log_of, store, user, person_id)
    if before is not None:
        lines = [line for line in lines if line.index < before]
    if limit is not None and len(lines) > limit:
        lines = lines[:limit]
        following = request.url.include_query_params(before=lines[-1].index, limit=limit)
        response.headers["Link"] = f'<{following}>; rel="next"'
    return [
        LogLineOut.from_line(line, registers.activity(store, line.activity_uri)) for line in lines
    ]
