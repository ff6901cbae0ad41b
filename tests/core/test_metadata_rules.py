"""Which candidate is certainly the paper, how sources' fields land in a record, and their undo."""

from __future__ import annotations

from vlmreader.core.library import Library
from vlmreader.core.library.history import History
from vlmreader.core.models import Paper, PaperRecord
from vlmreader.core.sources.matching import Verdict, decide, verdict
from vlmreader.core.sources.works import Work, metadata_of, record_of, with_metadata, without_source_fields

ABSTRACT = (
    "Instruction tuning large language models using machine-generated instruction-following data has "
    "improved zero-shot capabilities on new tasks, but the idea is less explored in the multimodal field. "
    "We present the first attempt to use language-only GPT-4 to generate multimodal language-image "
    "instruction-following data and introduce LLaVA, an end-to-end trained large multimodal model."
)
OTHER_ABSTRACT = (
    "Large multimodal models have recently shown encouraging progress with visual instruction tuning. "
    "In this note we show that the fully-connected vision-language cross-modal connector is surprisingly "
    "powerful and data-efficient, and establish stronger baselines on eleven benchmarks with simple changes."
)


def work(title: str, abstract: str = "", **values) -> Work:
    return Work(source=values.pop("source", "openalex"), title=title, abstract=abstract, **values)


def test_the_same_title_in_another_spelling_is_the_same_paper():
    assert verdict("Visual Instruction Tuning", ABSTRACT, work("Visual instruction-tuning.")) is Verdict.SAME
    assert verdict("Fine-tuning LLaVA", "", work("Finetuning LLaVA")) is Verdict.SAME
    assert verdict("Über Modelle", "", work("Uber modelle")) is Verdict.SAME


def test_a_similar_title_of_another_paper_is_rejected():
    assert verdict("Visual Instruction Tuning", ABSTRACT, work("Improved Baselines with Visual Instruction Tuning", OTHER_ABSTRACT)) is Verdict.OTHER
    assert verdict("LLaVA-UHD: an LMM perceiving any aspect ratio", "", work("LLaVA-UHD v2: an LMM perceiving any aspect ratio")) is Verdict.OTHER
    assert verdict("LLaVA-1.5: better baselines", "", work("LLaVA-1.6: better baselines")) is Verdict.OTHER


def test_the_same_title_with_an_unrelated_abstract_is_another_paper():
    assert verdict("Visual Instruction Tuning", ABSTRACT, work("Visual Instruction Tuning", OTHER_ABSTRACT)) is Verdict.OTHER


def test_a_nearly_equal_title_needs_agreeing_abstracts():
    renamed = "A Survey of Visual Instruction Tuning for LLaVA"
    assert verdict("A Survey on Visual Instruction Tuning for LLaVA", ABSTRACT, work(renamed, ABSTRACT)) is Verdict.SAME
    assert verdict("A Survey on Visual Instruction Tuning for LLaVA", ABSTRACT, work(renamed, OTHER_ABSTRACT)) is Verdict.OTHER
    assert verdict("A Survey on Visual Instruction Tuning for LLaVA", ABSTRACT, work(renamed)) is Verdict.UNSURE


def test_a_preprint_and_its_published_version_are_one_paper():
    preprint = work("Visual Instruction Tuning", authors=("Liu, Haotian",), arxiv_id="2304.08485")
    published = work("Visual Instruction Tuning", authors=("Liu, Haotian", "Li, Chunyuan"), venue="NeurIPS", published_as="inproceedings")
    decision = decide("Visual Instruction Tuning", ABSTRACT, [preprint, published])
    assert decision.accepted == [preprint, published] and not decision.ambiguous


def test_two_papers_sharing_a_title_are_ambiguous_unless_the_abstract_settles_it():
    one = work("Visual Instruction Tuning", authors=("Liu, Haotian",), arxiv_id="2304.08485")
    other = work("Visual Instruction Tuning", authors=("Smith, Ann",), arxiv_id="2101.00001")
    assert decide("Visual Instruction Tuning", "", [one, other]).ambiguous
    with_abstract = work("Visual Instruction Tuning", ABSTRACT, authors=("Liu, Haotian",), arxiv_id="2304.08485")
    decision = decide("Visual Instruction Tuning", ABSTRACT, [with_abstract, other])
    assert decision.accepted == [with_abstract]


ARXIV = Work("arxiv", "Visual Instruction Tuning", ("Liu, Haotian", "Li, Chunyuan"), 2023, ABSTRACT, "2304.08485", "cs.CV", venue="NeurIPS 2023 (oral)", published_as="inproceedings")
OPENALEX = Work("openalex", "Visual Instruction Tuning", ("Liu, H.",), 2024, doi="10.5555/neurips.1", venue="Advances in Neural Information Processing Systems", venue_year=2024, published_as="inproceedings", cited_by_count=5000)


def test_each_field_comes_from_the_most_trusted_source():
    fields = metadata_of([OPENALEX, ARXIV])
    assert fields["author"] == ("Liu, Haotian and Li, Chunyuan", "arxiv")
    assert fields["year"] == ("2023", "arxiv") and fields["primaryclass"] == ("cs.CV", "arxiv")
    assert fields["booktitle"] == ("Advances in Neural Information Processing Systems", "openalex")
    assert fields["venue_year"] == ("2024", "openalex") and fields["doi"] == ("10.5555/neurips.1", "openalex")
    assert fields["cited_by"] == ("5000", "openalex")


def test_fields_the_user_set_are_never_overwritten_and_refresh_updates_only_sources():
    record = PaperRecord(title="Visual Instruction Tuning", fields={"author": "Me, Myself", "journal": "My Journal"})
    filled = with_metadata(record, metadata_of([ARXIV, OPENALEX]), "2026-12-02")
    assert filled.fields["author"] == "Me, Myself" and filled.fields["journal"] == "My Journal"
    assert "booktitle" not in filled.fields and "venue_year" not in filled.fields  # the user named the venue
    assert filled.fields["eprint"] == "2304.08485" and ("eprint", "arxiv", "2026-12-02") in filled.provenance
    assert not any(name == "author" for name, _, _ in filled.provenance)
    newer = Work("arxiv", "Visual Instruction Tuning", ("Liu, Haotian",), 2022, arxiv_id="2304.08485", primary_category="cs.LG")
    again = with_metadata(filled, metadata_of([newer]), "2026-12-03")
    assert again.fields["primaryclass"] == "cs.CV"  # not without --refresh
    refreshed = with_metadata(filled, metadata_of([newer]), "2026-12-03", refresh=True)
    assert refreshed.fields["primaryclass"] == "cs.LG" and refreshed.fields["author"] == "Me, Myself"
    assert ("primaryclass", "arxiv", "2026-12-03") in refreshed.provenance
    assert without_source_fields(refreshed).fields == {"author": "Me, Myself", "journal": "My Journal"}


def test_a_bundled_paper_with_a_venue_becomes_a_proceedings_entry():
    record = record_of([ARXIV, OPENALEX], "2026-12-02")
    assert record.entry_type == "inproceedings" and record.url == "https://arxiv.org/abs/2304.08485"
    assert dict((name, source) for name, source, _ in record.provenance)["booktitle"] == "openalex"


def test_undoing_a_metadata_run_takes_back_only_what_still_holds(tmp_path):
    library = Library(tmp_path)
    library.add_papers([Paper(PaperRecord(title="Visual Instruction Tuning")), Paper(PaperRecord(title="Flamingo"))])
    llava, flamingo = (paper.id for paper in library)
    metadata = metadata_of([ARXIV])
    history = History()
    history.record_revision(
        library.revise_records({paper_id: lambda record: with_metadata(record, metadata, "2026-12-02") for paper_id in (llava, flamingo)})
    )
    assert library.get(llava).authors == ("Liu, Haotian", "Li, Chunyuan")
    # Meanwhile another process changes one of the fields the run filled.
    library.revise_records({flamingo: lambda record: with_metadata(record, {"year": ("2022", "openalex")}, "2026-12-02", refresh=True)})
    report = history.undo(library)
    assert len(report.papers) == 2 and len(history) == 0
    assert library.get(llava).record.fields == {} and library.get(llava).record.provenance == ()
    assert library.get(llava).record.entry_type == "misc"
    assert library.get(flamingo).record.fields == {"year": "2022"}  # the newer change stays
    assert Library(tmp_path).get(llava).record.fields == {}  # on disk too


def test_a_group_author_stays_whole():
    from vlmreader.core.sources.works import bibtex_name

    assert bibtex_name("Chameleon Team") == "{Chameleon Team}"
    assert Paper(PaperRecord(fields={"author": "{Chameleon Team} and Liu, Haotian"})).short_authors == "Chameleon Team & Liu"
    assert bibtex_name("Yong Jae Lee") == "Lee, Yong Jae"
