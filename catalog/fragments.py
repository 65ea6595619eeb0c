"""Stored per-entry DCAT-AP pieces (`inventory.models.DatasetRdf`) and the catalogue documents
assembled from them: the whole-catalogue export, the Hydra pages, one entry's document.

An entry's pieces are rebuilt from the rdflib mapping (`catalog.dcat.entry_to_rdf`) whenever
they are stale: the entry's version or update time, its organization's update time or the
mapping stamp differ from those recorded. Shared nodes (vocabulary concepts, publishers...)
are not stored per entry: each document describes those its entries reference once, at its
end, built fresh (so renaming an organization shows at once).

Documents are generators of text chunks: memory stays bounded by one chunk of entries
whatever the size of the catalogue. Rebuilt pieces are flushed; callers pass `commit` (the
request or CLI boundary) to keep them.
"""
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from hashlib import sha256

import sqlalchemy as sa
from rdflib import Literal, URIRef
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from inventory.extensions import db
from inventory.models import Dataset, DatasetRdf, Organization, utcnow

from . import dcat
from .namespaces import HYDRA, RDF, XSD, new_graph
from .serialize import PIECE_WRITERS, document, ntriples_piece, pieces

COLUMNS = {"ttl": "turtle", "nt": "ntriples", "jsonld": "jsonld", "xml": "rdfxml"}
CHUNK = 500
PUBLIC_STATUSES = ("approved", "published")
OPEN_CLASSIFICATIONS = ("open", "open_after_treatment")


def public_filter():
    """SQL condition equal to `Dataset.in_public_catalogue`."""
    return sa.and_(Dataset.status.in_(PUBLIC_STATUSES), Dataset.access_rights == "PUBLIC",
                   Dataset.classification.in_(OPEN_CLASSIFICATIONS))


@dataclass
class Stamp:
    """What an entry's pieces were (or must be) built from."""

    id: int
    version: int
    updated_at: datetime | None
    org_updated_at: datetime | None

    def matches(self, row, mapping_stamp):
        return (row is not None and row.mapping_stamp == mapping_stamp
                and row.dataset_version == self.version
                and row.dataset_updated_at == self.updated_at
                and row.organization_updated_at == self.org_updated_at)

    def key(self):
        return f"{self.id}.{self.version}.{self.updated_at}.{self.org_updated_at}"

    @property
    def last_modified(self):
        return max(t for t in (self.updated_at, self.org_updated_at, datetime(1970, 1, 1))
                   if t is not None)


def _stamp_query(condition):
    return (sa.select(Dataset.id, Dataset.version, Dataset.updated_at, Organization.updated_at)
            .join(Organization, Organization.id == Dataset.organization_id).where(condition))


def stamps(condition, order=True, offset=None, limit=None):
    """Stamps of the entries matching `condition`, in id order."""
    stmt = _stamp_query(condition)
    if order:
        stmt = stmt.order_by(Dataset.id)
    if offset:
        stmt = stmt.offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [Stamp(*row) for row in db.session.execute(stmt)]


def build_pieces(dataset, base=None):
    """(pieces by format, shared keys) of one entry, from the rdflib mapping."""
    triples = set()  # the mapping only adds triples: a set is all it needs, and fast
    keys = dcat.entry_to_rdf(dataset, triples, base)
    return pieces(triples), sorted(keys)


def _upsert(values):
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(DatasetRdf).values(values)
    update = {c: stmt.excluded[c] for c in values[0] if c != "dataset_id"}
    db.session.execute(stmt.on_conflict_do_update(index_elements=["dataset_id"], set_=update))


def rebuild(datasets, base=None, mapping_stamp=None):
    """Rebuild and store the pieces of `datasets` (flushes); returns {id: (pieces, keys)}."""
    mapping_stamp = mapping_stamp or dcat.mapping_stamp(base)
    built, values = {}, []
    for dataset in datasets:
        parts, keys = build_pieces(dataset, base)
        built[dataset.id] = (parts, keys)
        values.append({
            "dataset_id": dataset.id, "mapping_stamp": mapping_stamp,
            "dataset_version": dataset.version, "dataset_updated_at": dataset.updated_at,
            "organization_updated_at": dataset.organization.updated_at,
            "turtle": parts["ttl"], "ntriples": parts["nt"], "jsonld": parts["jsonld"],
            "rdfxml": parts["xml"], "shared_keys": keys, "built_at": utcnow()})
    if values:
        _upsert(values)
    return built


def _load_datasets(ids):
    return db.session.scalars(
        sa.select(Dataset).where(Dataset.id.in_(ids))
        .options(selectinload(Dataset.distributions), selectinload(Dataset.theme_rows))
    ).all()


def entry_pieces(stamp_list, fmt, base=None, mapping_stamp=None):
    """[(piece, shared keys)] in format `fmt` for entries (in the order given), rebuilding
    stale ones."""
    mapping_stamp = mapping_stamp or dcat.mapping_stamp(base)
    column = getattr(DatasetRdf, COLUMNS[fmt])
    ids = [s.id for s in stamp_list]
    rows = {r.dataset_id: r for r in db.session.execute(
        sa.select(DatasetRdf.dataset_id, DatasetRdf.mapping_stamp, DatasetRdf.dataset_version,
                  DatasetRdf.dataset_updated_at, DatasetRdf.organization_updated_at,
                  DatasetRdf.shared_keys, column.label("piece"))
        .where(DatasetRdf.dataset_id.in_(ids)))}
    stale = [s.id for s in stamp_list if not s.matches(rows.get(s.id), mapping_stamp)]
    fresh = rebuild(_load_datasets(stale), base, mapping_stamp) if stale else {}
    out = []
    for s in stamp_list:
        if s.id in fresh:
            parts, keys = fresh[s.id]
            out.append((parts[fmt], keys))
        else:
            row = rows[s.id]
            out.append((row.piece, row.shared_keys))
    return out


def shared_piece(keys, fmt, base=None, exclude=()):
    """The shared nodes named by `keys` (minus `exclude`) as one piece."""
    keys = sorted(set(keys) - set(exclude))
    codes = [k.split(":", 1)[1] for k in keys if k.startswith("org:")]
    organizations = {o.code: o for o in db.session.scalars(
        sa.select(Organization).where(Organization.code.in_(codes)))} if codes else {}
    graph = new_graph()
    for key in keys:
        dcat.shared_node_to_rdf(key, graph, base, organizations)
    return PIECE_WRITERS[fmt](graph)


def catalog_state():
    """What the catalogue node says besides constants: (first issue of a public entry, last
    update of one, the catalogue publisher's organization or None)."""
    issued, modified = db.session.execute(
        sa.select(sa.func.min(sa.func.coalesce(Dataset.issued_at, Dataset.approved_at)),
                  sa.func.max(Dataset.updated_at)).where(public_filter())).one()
    publisher = db.session.scalar(
        sa.select(Organization).where(Organization.code == dcat.catalog_publisher_code()))
    return issued, modified, publisher


def catalog_header(base=None, extra=None, state=None):
    """(graph, keys) of the catalogue node, with its dates from the public entries."""
    issued, modified, publisher = state or catalog_state()
    organizations = {publisher.code: publisher} if publisher is not None else {}
    graph = new_graph()
    dcat.catalog_to_rdf(graph, base, modified=modified, issued=issued,
                        organizations=organizations)
    if extra is not None:
        extra(graph)
    return graph, dcat.catalog_shared_keys()


def _entries_document(fmt, stamp_chunks, header_graph, header_keys, base, commit):
    mapping_stamp = dcat.mapping_stamp(base)

    def parts():
        yield PIECE_WRITERS[fmt](header_graph)
        keys = set()
        for chunk in stamp_chunks:
            for piece, piece_keys in entry_pieces(chunk, fmt, base, mapping_stamp):
                keys.update(piece_keys)
                yield piece
            if commit is not None:
                commit()
        yield shared_piece(keys, fmt, base, exclude=header_keys)

    return document(fmt, parts())


def _id_chunks(condition, size=CHUNK):
    """Stamps of matching entries in id order, `size` at a time (keyset paging)."""
    last = 0
    while True:
        chunk = stamps(sa.and_(condition, Dataset.id > last), limit=size)
        if not chunk:
            return
        yield chunk
        last = chunk[-1].id


def catalog_document(fmt, base=None, commit=None, chunk_size=CHUNK):
    """The whole public catalogue in format `fmt`, as text chunks (bounded memory)."""
    graph, keys = catalog_header(base)
    return _entries_document(fmt, _id_chunks(public_filter(), chunk_size), graph, keys, base,
                             commit)


# --------------------------------------------------------------------------- pages

@dataclass
class Page:
    number: int
    size: int
    total: int
    stamps: list
    state: tuple = ()  # catalog_state(): the catalogue node changes with it

    @property
    def last(self):
        return max(1, -(-self.total // self.size))

    def etag(self, fmt, extra=""):
        issued, modified, publisher = self.state or (None, None, None)
        digest = sha256(f"{dcat.mapping_stamp()}|{fmt}|{self.number}|{self.size}|{self.total}"
                        f"|{extra}|{issued}|{modified}|{getattr(publisher, 'updated_at', '')}"
                        .encode())
        for s in self.stamps:
            digest.update(s.key().encode())
        return digest.hexdigest()[:40]

    @property
    def last_modified(self):
        return max((s.last_modified for s in self.stamps), default=datetime(1970, 1, 1))


def catalog_page(number, size, modified_since=None):
    """Page `number` (1-based) of the public catalogue, optionally only entries updated at or
    after `modified_since`; None when the page does not exist."""
    condition = public_filter()
    if modified_since is not None:
        condition = sa.and_(condition, Dataset.updated_at >= modified_since)
    total = db.session.scalar(sa.select(sa.func.count(Dataset.id)).where(condition))
    page = Page(number, size, total, [])
    if number < 1 or number > page.last:
        return None
    page.stamps = stamps(condition, offset=(number - 1) * size, limit=size)
    page.state = catalog_state()
    return page


def page_document(fmt, page, page_url, base=None, commit=None):
    """One Hydra page: the catalogue node, a `hydra:PartialCollectionView` with first /
    previous / next / last links (`page_url(n)` gives the address of page n), the page's
    entries and the shared nodes they reference."""
    def hydra(graph):
        view = URIRef(page_url(page.number))
        catalog = dcat.catalog_uri(base)
        graph.add((catalog, HYDRA.view, view))
        graph.add((catalog, HYDRA.totalItems, Literal(str(page.total),
                                                            datatype=XSD.integer)))
        graph.add((view, RDF.type, HYDRA.PartialCollectionView))
        graph.add((view, HYDRA.first, URIRef(page_url(1))))
        graph.add((view, HYDRA.last, URIRef(page_url(page.last))))
        if page.number > 1:
            graph.add((view, HYDRA.previous, URIRef(page_url(page.number - 1))))
        if page.number < page.last:
            graph.add((view, HYDRA.next, URIRef(page_url(page.number + 1))))

    graph, keys = catalog_header(base, extra=hydra, state=page.state or None)
    return _entries_document(fmt, [page.stamps] if page.stamps else [], graph, keys, base,
                             commit)


# --------------------------------------------------------------------------- one entry

def entry_stamp(dataset):
    return Stamp(dataset.id, dataset.version, dataset.updated_at,
                 dataset.organization.updated_at)


def entry_ntriples(dataset, base=None):
    """The triples of `dcat.dataset_graph(dataset)` in N-Triples, in two parts: the entry's own
    triples as one text, and {key: text} of the shared nodes it references (the key names a
    node: the same key, the same text, within one batch). Built without an rdflib Graph and
    with the vocabulary nodes kept between entries: a publishing batch hands this to its SHACL
    gate for every entry, and through a Graph and its serializer, rebuilding the shared nodes
    each time, it cost the command about a third of its CPU per entry."""
    triples = set()
    keys = dcat.entry_to_rdf(dataset, triples, base)
    organization = dataset.organization
    shared = {}
    for key in sorted(keys):
        if key == f"org:{organization.code}":  # from the database: built each time
            node = set()
            dcat.shared_node_to_rdf(key, node, base, {organization.code: organization})
            # keyed by what it was built from, so that a rename mid-batch is a new node
            key = f"{key}@{organization.updated_at}"
            shared[key] = ntriples_piece(node)
        else:  # from the vocabularies (package data, changed only by a deploy)
            shared[key] = _shared_ntriples(key, dcat.base_uri(base))
    return ntriples_piece(triples), shared


@lru_cache(maxsize=1024)
def _shared_ntriples(key, base):
    node = set()
    dcat.shared_node_to_rdf(key, node, base)
    return ntriples_piece(node)


def entry_document(fmt, dataset, base=None, commit=None):
    """One entry's document: its own triples and the shared nodes it references."""
    [(piece, keys)] = entry_pieces([entry_stamp(dataset)], fmt, base)
    if commit is not None:
        commit()
    return "".join(document(fmt, [piece, shared_piece(keys, fmt, base)]))


# --------------------------------------------------------------------------- upkeep

def refresh_all(commit=None, chunk_size=CHUNK):
    """Rebuild the stale pieces of every public entry; returns how many were rebuilt."""
    mapping_stamp = dcat.mapping_stamp()
    count = 0
    for chunk in _id_chunks(public_filter(), chunk_size):
        rows = {r.dataset_id: r for r in db.session.execute(
            sa.select(DatasetRdf.dataset_id, DatasetRdf.mapping_stamp,
                      DatasetRdf.dataset_version, DatasetRdf.dataset_updated_at,
                      DatasetRdf.organization_updated_at)
            .where(DatasetRdf.dataset_id.in_([s.id for s in chunk])))}
        stale = [s.id for s in chunk if not s.matches(rows.get(s.id), mapping_stamp)]
        if stale:
            rebuild(_load_datasets(stale), mapping_stamp=mapping_stamp)
            count += len(stale)
            if commit is not None:
                commit()
    return count


def validate_catalogue(commit=None, chunk_size=200):
    """SHACL report of the served catalogue (its stored N-Triples pieces), one chunk of
    entries at a time; results repeated across chunks (shared nodes) are reported once."""
    from rdflib import Graph

    from . import shacl

    header, _keys = catalog_header()
    header_piece = PIECE_WRITERS["nt"](header)
    mapping_stamp = dcat.mapping_stamp()
    report, seen = shacl.Report(), set()

    def check(parts):
        graph = Graph()
        graph.parse(data="".join(document("nt", parts)), format="nt")
        for result in shacl.validate(graph).results:
            key = (result.focus, result.path, result.component, result.severity, result.value,
                   result.source_shape)
            if key not in seen:
                seen.add(key)
                report.results.append(result)

    checked_header = False
    for chunk in _id_chunks(public_filter(), chunk_size):
        entries = entry_pieces(chunk, "nt", mapping_stamp=mapping_stamp)
        keys = set().union(*(k for _p, k in entries))
        # The catalogue node with every chunk: its links to this chunk's entries are checked.
        checked_header = True
        check([header_piece] + [p for p, _k in entries] + [shared_piece(keys, "nt")])
        if commit is not None:
            commit()
    if not checked_header:
        check([header_piece])
    return report
