"""The CSAF product tree: each leaf placed on an os_family and a release or range. PURE.

Split from `csaf` (the reader of the rest of the document). A leaf's family is
found from the nearest named product (`products.split_product`), its release
from the version branches, ranges with `ranges.read_spec`. What cannot be
placed keeps a reason and is reported, never matched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from fixright.advisories.formats.common import Problems, as_dict, as_list, read_version
from fixright.advisories.formats.products import release_of, split_product
from fixright.advisories.formats.ranges import check_vers, is_vers, read_spec, vers_scheme
from fixright.advisories.records import AffectedRange
from fixright.versions import FAMILIES

BRANCH_CATEGORIES = frozenset(
    {
        "architecture",
        "host_name",
        "language",
        "legacy",
        "patch_level",
        "product_family",
        "product_name",
        "product_version",
        "product_version_range",
        "service_pack",
        "specification",
        "vendor",
    }
)
_RELEASE_CATEGORIES = ("service_pack", "patch_level", "product_version")


@dataclass
class Product:
    """One product of the tree, placed (or not) on a release."""

    product_id: str
    name: str
    where: str
    os_family: str | None
    exact: str | None = None
    ranges: tuple[AffectedRange, ...] = ()
    unplaced_reason: str | None = None

    @property
    def splits(self) -> bool:
        """Both bounded ranges (affected) and `>=` ranges (fixed from there on)."""
        return any(r.fixed or r.last_affected for r in self.ranges) and any(
            r.introduced and not (r.fixed or r.last_affected) for r in self.ranges
        )


def walk_tree(tree: Any, problems: Problems, notes: list[str]) -> dict[str, Product]:
    """Every product id of the tree, placed; ids defined twice stay known but unplaced."""
    products: dict[str, Product] = {}
    duplicated: set[str] = set()
    if tree is None:
        return products
    tree_dict = as_dict(tree, "$.product_tree", problems)

    def define(pid: str, placed: Product, where: str) -> None:
        old = products.get(pid)
        if old is None and pid not in duplicated:
            products[pid] = placed
        elif old is not None and old.ranges and placed.ranges and old.os_family == placed.os_family:
            problems.quirk(
                "id defined twice",
                where,
                f"product id {pid!r} is defined more than once, by ranges of one product; "
                "read as one product with both ranges",
            )
            products[pid] = replace(old, ranges=(*old.ranges, *placed.ranges))
        else:
            problems.add(where, f"product id {pid!r} is defined more than once")
            products.pop(pid, None)
            duplicated.add(pid)

    def visit(branches: Any, where: str, path: list[tuple[str, str]]) -> None:
        for i, branch in enumerate(as_list(branches, where, problems)):
            here = f"{where}[{i}]"
            if not isinstance(branch, dict):
                problems.add(here, "expected an object")
                continue
            category, name = branch.get("category"), branch.get("name")
            if category == "product":
                problems.quirk(
                    "branch category product",
                    f"{here}.category",
                    "'product' is not a CSAF branch category; read as 'product_name'",
                )
                category = "product_name"
            elif category not in BRANCH_CATEGORIES:
                problems.add(f"{here}.category", f"{category!r} is not a CSAF 2.0 branch category")
                # Lenient: read the subtree as if the branch named a product.
                category = "product_name"
            if not isinstance(name, str):
                problems.add(f"{here}.name", "missing branch name")
                continue
            _check_spaces(name, f"{here}.name", problems)
            step = [*path, (category, name)]
            product = branch.get("product")
            if isinstance(product, dict):
                pid = product.get("product_id")
                full = str(product.get("name") or name)
                _check_spaces(full, f"{here}.product.name", problems)
                if not isinstance(pid, str) or not pid:
                    problems.add(f"{here}.product.product_id", "missing product id")
                else:
                    define(pid, _place(pid, full, step, here, problems, notes), f"{here}.product.product_id")
            if "branches" in branch:
                visit(branch["branches"], f"{here}.branches", step)

    visit(tree_dict.get("branches"), "$.product_tree.branches", [])
    fulls = as_list(tree_dict.get("full_product_names"), "$.product_tree.full_product_names", problems)
    for i, full in enumerate(fulls):
        if isinstance(full, dict) and isinstance(full.get("product_id"), str):
            pid, name = full["product_id"], str(full.get("name") or "")
            where = f"$.product_tree.full_product_names[{i}]"
            products[pid] = _place(pid, name, [("product_name", name)], where, problems, notes)
    relationships = as_list(tree_dict.get("relationships"), "$.product_tree.relationships", problems)
    for i, rel in enumerate(relationships):
        full = rel.get("full_product_name") if isinstance(rel, dict) else None
        if isinstance(full, dict) and isinstance(full.get("product_id"), str):
            pid = full["product_id"]
            products[pid] = Product(
                pid,
                str(full.get("name") or pid),
                f"$.product_tree.relationships[{i}]",
                None,
                unplaced_reason="product defined by a relationship (not supported)",
            )
    # Ids defined twice stay known (so references are not reported again) but unplaced.
    for pid in duplicated:
        products[pid] = Product(pid, pid, "$.product_tree", None, unplaced_reason="defined more than once")
    return products


def _check_spaces(name: str, where: str, problems: Problems) -> None:
    if name != name.strip():
        problems.quirk(
            "spaces around a name",
            where,
            f"name {name!r} has leading or trailing spaces; read without them",
        )


def _place(
    pid: str,
    full_name: str,
    path: list[tuple[str, str]],
    where: str,
    problems: Problems,
    notes: list[str],
) -> Product:
    """Find the os_family and the release (or range) of one product-tree leaf."""
    family: str | None = None
    product = full_name.strip()
    for category, name in [*reversed(path), ("product", full_name)]:
        if category in ("product_name", "product_family", "product"):
            found, _rest = split_product(name)
            if found is not None:
                family = found
                product = name.strip() if category != "product" else product_key(full_name)
                break
    leaf_category, leaf_name = path[-1]
    is_range = leaf_category == "product_version_range"
    if is_range and leaf_name.strip().lower().startswith("vers:"):
        if not check_vers(leaf_name, f"{where}.name", problems):
            return Product(pid, product, where, family, unplaced_reason=f"range {leaf_name!r} not read")
        scheme = vers_scheme(leaf_name)
        if family is None and scheme in FAMILIES and scheme != "generic":
            family = scheme
    if family is None:
        return Product(pid, product, where, None, unplaced_reason="product not known to fixright")
    release_names = [name for category, name in path if category in _RELEASE_CATEGORIES]
    if not is_range:
        if not release_names:
            return Product(pid, product, where, family, unplaced_reason="no release given")
        text = release_names[-1]
        found, rest = split_product(text)
        for candidate in (text, release_of(rest if found == family else text)):
            if read_version(family, candidate) is not None:
                return Product(pid, product, where, family, exact=candidate)
        if is_vers(text):
            problems.add(f"{where}.name", f"{text!r} is a vers range in a {leaf_category} branch")
            return Product(pid, product, where, family, unplaced_reason=f"cannot read {text!r}")
    spec = read_spec(family, product, leaf_name, f"{where}.name", problems, notes)
    if spec is None:
        return Product(pid, product, where, family, unplaced_reason=f"range {leaf_name!r} not read")
    if spec.exact is not None:
        return Product(pid, product, where, family, exact=spec.exact)
    return Product(pid, product, where, family, ranges=spec.ranges)

def product_key(name: str) -> str:
    """`Cisco IOS 12.2SE 12.2(55)SE` -> `Cisco IOS`: the product without its release words."""
    family, _rest = split_product(name)
    if family is None:
        return name
    stripped = " ".join(name.split())
    return stripped[: len(stripped) - len(_rest)].strip() if _rest else stripped
