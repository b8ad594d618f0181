from tests.authz import Entry

# A reports-module attachment of village A: those who see village A *and* have the reports module.
SEE_VILLAGE_A_REPORTS = frozenset({"member_a", "township_a", "county_officer"})


def _attachment_of_village_a(t, p):
    from tests.attachments.factories import make_attachment

    return [make_attachment(t, p).pk]


def _attachment_of_village_c(t, p):
    from tests.attachments.factories import make_attachment

    return [make_attachment(t, p, unit=t.village_c, actor=p.outsider).pk]


def _photo_of_village_a(t, p):
    from tests.attachments import samples
    from tests.attachments.factories import make_attachment

    return [make_attachment(t, p, name="走访.jpg", content=samples.photo()).pk]


def _photo_of_village_c(t, p):
    from tests.attachments import samples
    from tests.attachments.factories import make_attachment

    return [
        make_attachment(t, p, name="走访.jpg", content=samples.photo(), unit=t.village_c, actor=p.outsider).pk
    ]


ENTRIES = [
    Entry(
        "attachments:download",
        SEE_VILLAGE_A_REPORTS,
        args=_attachment_of_village_a,
        extra_outside=_attachment_of_village_c,
    ),
    Entry(
        "attachments:thumbnail",
        SEE_VILLAGE_A_REPORTS,
        args=_photo_of_village_a,
        extra_outside=_photo_of_village_c,
    ),
]
