"""Routes of the associations APIs (v4 records, batches and labels; v3 batches), contact merge and
GDPR delete: decode, call one domain function, encode."""

from __future__ import annotations

from typing import TypeVar

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from hubcrm.api import render
from hubcrm.api.access import authorize, authorize_pair
from hubcrm.api.errors import standard_error
from hubcrm.api.requests import decode, query_int, read_body, state
from hubcrm.api.responses import json_response
from hubcrm.domain.associations.catalogue import AssociationType, Catalogue, v3_name
from hubcrm.domain.associations.reading import Labelled, Listed, record_id
from hubcrm.domain.clock import format_ms
from hubcrm.domain.records import Actor
from hubcrm.protocol import associations as wire
from hubcrm.protocol import messages
from hubcrm.protocol.errors import ValidationError
from hubcrm.protocol.wire import NextPage, Paging
from hubcrm.store.base import Association, Token

T = TypeVar("T")


def _actor(token: Token) -> Actor:
    return Actor(token.portal_id, str(token.token_id))


async def _body(request: Request, decoder: msgspec.json.Decoder[T]) -> T:
    raw = await read_body(request)
    if not raw.strip():
        raise ValidationError(messages.ASSOCIATION_BODY_EXPECTED)
    return decode(raw, decoder)


def _path_id(request: Request, name: str) -> str:
    return str(request.path_params[name])


def _spec_with_label(kind: AssociationType) -> wire.SpecWithLabel:
    return wire.SpecWithLabel(category=kind.category, type_id=kind.type_id, label=kind.label)


def _labelled(item: Labelled) -> wire.LabelsBetweenObjectPair:
    return wire.LabelsBetweenObjectPair(
        from_object_type_id=item.link.from_type,
        from_object_id=item.link.from_id,
        to_object_type_id=item.link.to_type,
        to_object_id=item.link.to_id,
        labels=item.labels,
    )


def _default(row: Association) -> wire.DefaultAssociation:
    return wire.DefaultAssociation(
        from_=wire.PublicObjectId(str(row.from_id)),
        to=wire.PublicObjectId(str(row.to_id)),
        association_spec=wire.DefaultSpec(
            association_category=row.category, association_type_id=row.type_id
        ),
    )


def _listed(listed: Listed) -> list[wire.AssociatedWithLabel]:
    return [
        wire.AssociatedWithLabel(
            to_object_id=group.to_id,
            association_types=[_spec_with_label(t) for t in group.types],
        )
        for group in listed.results
    ]


def _paging(after: str | None, link: str | None = None) -> Paging | None:
    return Paging(NextPage(after=after, link=link)) if after is not None else None


# v4: one record


async def put_association_labels(request: Request) -> Response:
    token, from_kind, to_kind = await authorize_pair(request)
    specs = await _body(request, wire.specs)
    written = await state(request).associations.write(
        _actor(token),
        from_kind,
        to_kind,
        [
            (
                _path_id(request, "from_id"),
                _path_id(request, "to_id"),
                [(s.association_category, s.association_type_id) for s in specs],
            )
        ],
        "replace",
    )
    return json_response(_labelled(written[0]), status=201)


async def put_default_association(request: Request) -> Response:
    token, from_kind, to_kind = await authorize_pair(request)
    app = state(request)
    started = app.clock.now_ms()
    rows = await app.associations.associate_default(
        _actor(token),
        from_kind,
        to_kind,
        [(_path_id(request, "from_id"), _path_id(request, "to_id"))],
    )
    return json_response(
        wire.BatchDefaultResponse(
            status="COMPLETE",
            results=[_default(row) for row in rows],
            started_at=format_ms(started),
            completed_at=format_ms(app.clock.now_ms()),
        )
    )


async def list_associations(request: Request) -> Response:
    token, from_kind, to_kind = await authorize_pair(request)
    listed = await state(request).associations.page(
        token.portal_id,
        from_kind,
        _path_id(request, "from_id"),
        to_kind,
        after=request.query_params.get("after"),
        limit=query_int(request, "limit"),
    )
    link = (
        str(request.url.include_query_params(after=listed.next_after))
        if listed.next_after
        else None
    )
    return json_response(
        wire.AssociatedPage(results=_listed(listed), paging=_paging(listed.next_after, link))
    )


async def delete_associations(request: Request) -> Response:
    token, from_kind, to_kind = await authorize_pair(request)
    await state(request).associations.archive(
        _actor(token),
        from_kind,
        to_kind,
        [(_path_id(request, "from_id"), _path_id(request, "to_id"))],
    )
    return Response(status_code=204)


# v4: batches


async def batch_create_associations(request: Request) -> Response:
    token, from_kind, to_kind = await authorize_pair(request)
    body = await _body(request, wire.batch_pairs)
    app = state(request)
    started = app.clock.now_ms()
    written = await app.associations.batch_write(
        _actor(token),
        from_kind,
        to_kind,
        [
            (
                i.from_.id,
                i.to.id,
                [(s.association_category, s.association_type_id) for s in i.types],
            )
            for i in body.inputs
        ],
        "replace",
    )
    return json_response(
        wire.BatchLabelsResponse(
            status="COMPLETE",
            results=[_labelled(item) for item in written],
            started_at=format_ms(started),
            completed_at=format_ms(app.clock.now_ms()),
        ),
        status=201,
    )


async def batch_default_associations(request: Request) -> Response:
    token, from_kind, to_kind = await authorize_pair(request)
    body = await _body(request, wire.batch_pairs)
    app = state(request)
    started = app.clock.now_ms()
    rows = await app.associations.batch_default(
        _actor(token), from_kind, to_kind, [(i.from_.id, i.to.id) for i in body.inputs]
    )
    return json_response(
        wire.BatchDefaultResponse(
            status="COMPLETE",
            results=[_default(row) for row in rows],
            started_at=format_ms(started),
            completed_at=format_ms(app.clock.now_ms()),
        )
    )


async def batch_read_associations(request: Request) -> Response:
    token, from_kind, to_kind = await authorize_pair(request)
    body = await _body(request, wire.batch_read)
    app = state(request)
    started = app.clock.now_ms()
    read = await app.associations.batch_read(
        token.portal_id, from_kind, to_kind, [(str(i.id), i.after) for i in body.inputs]
    )
    errors = [standard_error(error) for error in read.errors]
    answer = wire.BatchReadResponse(
        status="COMPLETE",
        results=[
            wire.FromWithLabels(
                from_=wire.PublicObjectId(ref),
                to=_listed(listed),
                paging=_paging(listed.next_after),
            )
            for ref, listed in read.results
        ],
        started_at=format_ms(started),
        completed_at=format_ms(app.clock.now_ms()),
        num_errors=len(errors) if errors else None,
        errors=errors or None,
    )
    return json_response(answer, status=207 if errors else 200)


async def batch_archive_associations(request: Request) -> Response:
    token, from_kind, to_kind = await authorize_pair(request)
    body = await _body(request, wire.batch_archive)
    await state(request).associations.batch_archive(
        _actor(token),
        from_kind,
        to_kind,
        [(i.from_.id, [t.id for t in i.to]) for i in body.inputs],
    )
    return Response(status_code=204)


async def batch_archive_association_labels(request: Request) -> Response:
    token, from_kind, to_kind = await authorize_pair(request)
    body = await _body(request, wire.batch_pairs)
    await state(request).associations.batch_write(
        _actor(token),
        from_kind,
        to_kind,
        [
            (
                i.from_.id,
                i.to.id,
                [(s.association_category, s.association_type_id) for s in i.types],
            )
            for i in body.inputs
        ],
        "remove",
    )
    return Response(status_code=204)


# v4: labels


async def list_association_labels(request: Request) -> Response:
    token, from_kind, to_kind = await authorize_pair(request)
    kinds = await state(request).associations.labels(token.portal_id, from_kind, to_kind)
    return json_response(wire.LabelsResponse(results=[_spec_with_label(k) for k in kinds]))


async def create_association_label(request: Request) -> Response:
    token, from_kind, to_kind = await authorize_pair(request)
    body = await _body(request, wire.label_create)
    kinds = await state(request).associations.create_label(
        token.portal_id, from_kind, to_kind, body.name, body.label, body.inverse_label
    )
    return json_response(wire.LabelsResponse(results=[_spec_with_label(k) for k in kinds]))


async def update_association_label(request: Request) -> Response:
    token, from_kind, to_kind = await authorize_pair(request)
    body = await _body(request, wire.label_update)
    await state(request).associations.update_label(
        token.portal_id,
        from_kind,
        to_kind,
        body.association_type_id,
        body.label,
        body.inverse_label,
    )
    return Response(status_code=204)


async def delete_association_label(request: Request) -> Response:
    token, from_kind, to_kind = await authorize_pair(request)
    type_id = record_id(_path_id(request, "type_id"))
    if type_id is None:
        raise ValidationError(messages.LABEL_NOT_FOUND.format(type_id=_path_id(request, "type_id")))
    await state(request).associations.delete_label(token.portal_id, from_kind, to_kind, type_id)
    return Response(status_code=204)


# v3 batches


async def v3_batch_create_associations(request: Request) -> Response:
    token, from_kind, to_kind = await authorize_pair(request)
    body = await _body(request, wire.v3_batch)
    app = state(request)
    started = app.clock.now_ms()
    inputs = [(str(i.from_.id), str(i.to.id), i.type) for i in body.inputs]
    await app.associations.v3_write(_actor(token), from_kind, to_kind, inputs, "add")
    return json_response(
        wire.V3BatchResponse(
            status="COMPLETE",
            results=[
                wire.V3Association(
                    from_=wire.PublicObjectId(f), to=wire.PublicObjectId(t), type=kind
                )
                for f, t, kind in inputs
            ],
            started_at=format_ms(started),
            completed_at=format_ms(app.clock.now_ms()),
        ),
        status=201,
    )


async def v3_batch_archive_associations(request: Request) -> Response:
    token, from_kind, to_kind = await authorize_pair(request)
    body = await _body(request, wire.v3_batch)
    inputs = [(str(i.from_.id), str(i.to.id), i.type) for i in body.inputs]
    await state(request).associations.v3_write(_actor(token), from_kind, to_kind, inputs, "remove")
    return Response(status_code=204)


async def v3_batch_read_associations(request: Request) -> Response:
    token, from_kind, to_kind = await authorize_pair(request)
    body = await _body(request, wire.v3_read)
    app = state(request)
    started = app.clock.now_ms()
    read = await app.associations.batch_read(
        token.portal_id, from_kind, to_kind, [(str(i.id), None) for i in body.inputs]
    )
    catalogue = await app.associations.catalogue(token.portal_id)
    errors = [standard_error(error) for error in read.errors]
    answer = wire.V3BatchReadResponse(
        status="COMPLETE",
        results=[
            wire.V3FromMulti(
                from_=wire.PublicObjectId(ref),
                to=_v3_associated(listed, catalogue),
                paging=_paging(listed.next_after),
            )
            for ref, listed in read.results
        ],
        started_at=format_ms(started),
        completed_at=format_ms(app.clock.now_ms()),
        num_errors=len(errors) if errors else None,
        errors=errors or None,
    )
    return json_response(answer, status=207 if errors else 200)


def _v3_associated(listed: Listed, catalogue: Catalogue) -> list[wire.V3Associated]:
    return [
        wire.V3Associated(id=str(group.to_id), type=name)
        for group in listed.results
        for kind in sorted(group.types, key=lambda t: (not t.primary, t.type_id))
        if (name := v3_name(kind, catalogue)) is not None
    ]


# Merge and GDPR delete


async def merge_records(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await _body(request, wire.merge)
    merged = await state(request).associations.merge(
        _actor(token), kind, str(body.primary_object_id), str(body.object_id_to_merge)
    )
    return json_response(render.written(kind, token.portal_id, merged))


async def gdpr_delete(request: Request) -> Response:
    token, kind = await authorize(request)
    body = await _body(request, wire.gdpr_delete)
    await state(request).associations.gdpr_delete(
        _actor(token), kind, str(body.object_id), body.id_property
    )
    return Response(status_code=204)
