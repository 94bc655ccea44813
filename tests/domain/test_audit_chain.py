"""The audit hash chain: an edited entry or a removed one breaks it where it happened."""

from datetime import UTC, datetime, timedelta, timezone

from contest.domain.audit_chain import GENESIS, Break, canonical, entry_hash, verify


def entries(n):
    chain, previous = [], GENESIS
    for i in range(1, n + 1):
        content = {
            "at": datetime(2026, 5, 10, 8, i, tzinfo=UTC),
            "actor": "张伟",
            "action": "score.update",
            "entity": "score",
            "entity_id": str(i),
            "old": {"value": "40"},
            "new": {"value": str(40 + i)},
            "reason": None,
        }
        digest = entry_hash(previous, content)
        chain.append((i, previous, digest, content))
        previous = digest
    return chain


def test_an_intact_chain_verifies():
    assert verify(entries(5)) == []
    assert verify([]) == []


def test_an_edited_entry_is_found():
    chain = entries(5)
    entry_id, link, digest, content = chain[2]
    chain[2] = (entry_id, link, digest, {**content, "new": {"value": "99"}})
    assert verify(chain) == [Break(3, "changed")]


def test_a_removed_entry_is_found():
    chain = entries(5)
    del chain[1]
    assert verify(chain) == [Break(3, "gap")]


def test_rewriting_an_entry_with_a_fresh_hash_still_breaks_the_next_link():
    chain = entries(4)
    entry_id, link, _, content = chain[1]
    forged = {**content, "actor": "李四"}
    chain[1] = (entry_id, link, entry_hash(link, forged), forged)
    assert verify(chain) == [Break(3, "gap")]


def test_the_same_moment_in_another_zone_hashes_the_same():
    shanghai = timezone(timedelta(hours=8))
    moment = datetime(2026, 5, 10, 8, 0, tzinfo=UTC)
    assert canonical({"at": moment}) == canonical({"at": moment.astimezone(shanghai)})
