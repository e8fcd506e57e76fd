"""Every word the briefing prints, in one table: Bahasa Indonesia (`id`, the default) and English.

Templates and code look labels up by key (`labels_for(language)[key]`); a missing key or a
missing translation fails loudly (StrictUndefined in Jinja, KeyError here) rather than printing
an empty cell. Adding a language means adding one column to each entry.
"""

from __future__ import annotations

LANGUAGES = ("id", "en")

LABELS: dict[str, dict[str, str]] = {
    # Marking, running headers and footers
    "classification": {"id": "TERBATAS", "en": "TERBATAS (RESTRICTED)"},
    "page": {"id": "Halaman", "en": "Page"},
    "page_of": {"id": "dari", "en": "of"},
    "generated_at": {"id": "Dibuat", "en": "Generated"},
    "data_cutoff": {"id": "Batas data", "en": "Data cut-off"},
    "document_kind": {"id": "Bahan Rapat Koordinasi", "en": "Coordination meeting briefing"},
    "document_subject": {
        "id": "Pemantauan orang asing: keberadaan, temuan dan kualitas data",
        "en": "Monitoring of foreign nationals: presence, findings and data quality",
    },
    "team": {"id": "Tim Pemantauan Orang Asing (Tim POA)", "en": "Foreigner Monitoring Team (Tim POA)"},
    "not_validated_marking": {"id": "BELUM TERVALIDASI", "en": "NOT VALIDATED"},
    "not_validated_note": {
        "id": "Data masukan briefing ini belum lolos pemeriksaan kualitas ({status}). Angka-angkanya "
        "belum tervalidasi; briefing ini tidak dikirim melalui e-mail.",
        "en": "This briefing's inputs did not pass the quality checks ({status}). Its figures are not "
        "validated; it is not sent by e-mail.",
    },
    # E-mail delivery (pantau.delivery)
    "mail_subject": {
        "id": "[{marking}] {kind}: {title}, {date}",
        "en": "[{marking}] {kind}: {title}, {date}",
    },
    "mail_greeting": {"id": "Yth. peserta rapat,", "en": "Dear meeting participants,"},
    "mail_body": {
        "id": "terlampir bahan rapat untuk {title} pada {when} di {venue}. Batas data: {cutoff}. "
        "Status kualitas data masukan: {quality}.",
        "en": "attached is the briefing for {title} on {when} at {venue}. Data cut-off: {cutoff}. "
        "Input data quality: {quality}.",
    },
    "mail_checksum": {
        "id": "SHA-256 berkas lampiran (untuk verifikasi arsip)",
        "en": "SHA-256 of the attachment (to verify against the archive)",
    },
    # Cover
    "meeting": {"id": "Rapat", "en": "Meeting"},
    "venue": {"id": "Tempat", "en": "Venue"},
    "meeting_date": {"id": "Tanggal rapat", "en": "Meeting date"},
    "region": {"id": "Wilayah", "en": "Region"},
    "previous_meeting": {"id": "Rapat sebelumnya", "en": "Previous meeting"},
    "none_previous": {"id": "belum ada (rapat pertama)", "en": "none (first meeting)"},
    "handling_note": {
        "id": "Dokumen ini memuat data terbatas untuk keperluan Tim POA. Jangan digandakan atau "
        "diteruskan tanpa izin. Tidak memuat nama maupun nomor paspor.",
        "en": "This document holds restricted data for the Tim POA. Do not copy or forward it "
        "without permission. It contains no names or passport numbers.",
    },
    # Summary
    "summary": {"id": "Ringkasan", "en": "Summary"},
    "total_present": {"id": "Orang asing berada di wilayah", "en": "Foreigners present"},
    "nationalities": {"id": "Kewarganegaraan", "en": "Nationalities"},
    "regions_with_foreigners": {
        "id": "Kabupaten/kota dengan orang asing",
        "en": "Regencies/cities with foreigners",
    },
    "open_findings": {"id": "Temuan terbuka", "en": "Open findings"},
    "of_regions": {"id": "dari", "en": "of"},
    "changes_since": {"id": "Perubahan sejak rapat sebelumnya", "en": "Changes since the previous meeting"},
    "changes_first": {"id": "Keadaan temuan (rapat pertama)", "en": "Findings (first meeting)"},
    "new_findings": {"id": "temuan baru", "en": "new findings"},
    "continuing_findings": {"id": "temuan berlanjut", "en": "continuing findings"},
    "resolved_findings": {"id": "temuan selesai", "en": "resolved findings"},
    "quality_overall": {"id": "Status kualitas data masukan", "en": "Input data quality"},
    "reference_mismatch": {
        "id": "Perhatian: data mart dihitung per {mart}, bukan per batas data {cutoff}.",
        "en": "Note: the marts were computed as of {mart}, not as of the cut-off {cutoff}.",
    },
    # Presence
    "presence": {"id": "Orang asing menurut kabupaten/kota", "en": "Foreigners by regency/city"},
    "presence_intro": {
        "id": "Orang asing yang memegang izin tinggal berlaku pada {date}, dihitung sekali per orang.",
        "en": "Foreigners holding a stay permit valid on {date}, each counted once.",
    },
    "region_col": {"id": "Kabupaten/kota", "en": "Regency/city"},
    "present_col": {"id": "Orang asing", "en": "Foreigners"},
    "findings_col": {"id": "Temuan terbuka", "en": "Open findings"},
    "total": {"id": "Jumlah", "en": "Total"},
    "unidentified": {"id": "tidak teridentifikasi", "en": "unidentified"},
    "chart_by_region": {"id": "Orang asing per kabupaten/kota", "en": "Foreigners per regency/city"},
    "chart_by_country": {"id": "Kewarganegaraan terbanyak", "en": "Top nationalities"},
    "top_nationalities": {"id": "Kewarganegaraan terbanyak", "en": "Top nationalities"},
    "country_col": {"id": "Kewarganegaraan", "en": "Nationality"},
    "share_col": {"id": "Porsi", "en": "Share"},
    "other_countries": {"id": "Lainnya ({n} negara)", "en": "Other ({n} countries)"},
    "no_presence": {
        "id": "Tidak ada orang asing dengan izin tinggal berlaku pada tanggal acuan.",
        "en": "No foreigner held a valid stay permit on the reference date.",
    },
    "chart_suppressed_note": {
        "id": "Batang dengan jumlah di bawah {k} tidak ditampilkan.",
        "en": "Bars for counts below {k} are not shown.",
    },
    # Findings
    "findings": {"id": "Temuan", "en": "Findings"},
    "findings_by_type": {"id": "Temuan menurut jenis", "en": "Findings by type"},
    "findings_by_agency": {
        "id": "Temuan menurut instansi penanggung jawab",
        "en": "Findings by responsible agency",
    },
    "findings_intro_since": {
        "id": "Baru: pertama terdeteksi setelah {since}. Selesai: diselesaikan setelah {since}.",
        "en": "New: first detected after {since}. Resolved: closed after {since}.",
    },
    "findings_intro_first": {
        "id": "Rapat pertama wilayah ini: status temuan sebagaimana tercatat pada tanggal acuan.",
        "en": "First meeting for this region: finding status as recorded on the reference date.",
    },
    "finding_type_col": {"id": "Jenis temuan", "en": "Finding type"},
    "agency_col": {"id": "Instansi", "en": "Agency"},
    "new_col": {"id": "Baru", "en": "New"},
    "continuing_col": {"id": "Berlanjut", "en": "Continuing"},
    "resolved_col": {"id": "Selesai", "en": "Resolved"},
    "open_col": {"id": "Terbuka", "en": "Open"},
    "no_findings": {"id": "Tidak ada temuan pada periode ini.", "en": "No findings in this period."},
    # Data quality
    "quality": {"id": "Kesegaran dan kualitas data", "en": "Data freshness and quality"},
    "quality_intro": {
        "id": "Berkas terakhir yang diterima dari setiap sumber, hasil pemeriksaan kualitasnya, "
        "dan pemeriksaan yang gagal.",
        "en": "The latest file received from each feed, its quality result and the checks that failed.",
    },
    "feed_col": {"id": "Sumber", "en": "Feed"},
    "received_col": {"id": "Diterima", "en": "Received"},
    "status_col": {"id": "Status", "en": "Status"},
    "rows_col": {"id": "Baris", "en": "Rows"},
    "rejects_col": {"id": "Baris ditolak", "en": "Rejected rows"},
    "failed_checks_col": {"id": "Pemeriksaan gagal", "en": "Failed checks"},
    "blocking": {"id": "memblokir", "en": "blocking"},
    "warning": {"id": "peringatan", "en": "warning"},
    "none": {"id": "tidak ada", "en": "none"},
    "mart_gate": {"id": "Pemeriksaan mart (gerbang 2)", "en": "Mart checks (gate 2)"},
    "mart_gate_not_run": {
        "id": "Pemeriksaan mart belum pernah dijalankan.",
        "en": "The mart checks have not run yet.",
    },
    "mart_gate_passed": {"id": "Lolos semua pemeriksaan memblokir", "en": "All blocking checks passed"},
    "mart_gate_failed": {"id": "Gagal pemeriksaan memblokir", "en": "Blocking checks failed"},
    "mart_gate_suites": {"id": "rangkaian pemeriksaan", "en": "check suites"},
    # Statuses of a feed's latest file (audit.load_ledger.status) and of the inputs overall
    "feed_status_accepted": {"id": "diterima", "en": "accepted"},
    "feed_status_rejected": {"id": "ditolak", "en": "rejected"},
    "feed_status_quarantined": {"id": "dikarantina", "en": "quarantined"},
    "feed_status_loaded": {"id": "belum divalidasi", "en": "not yet validated"},
    "feed_status_missing": {"id": "tidak ada kiriman", "en": "nothing received"},
    "quality_mart gagal validasi": {
        "id": "mart gagal validasi (belum tervalidasi)",
        "en": "marts failed validation (not validated)",
    },
    "quality_tervalidasi": {"id": "tervalidasi", "en": "validated"},
    "quality_ada batch ditolak": {"id": "ada batch ditolak", "en": "a batch was rejected"},
    "quality_belum divalidasi": {"id": "belum divalidasi", "en": "not yet validated"},
    "quality_ada peringatan": {"id": "ada peringatan", "en": "warnings raised"},
    "quality_tidak lengkap": {"id": "tidak lengkap", "en": "incomplete"},
    "quality_tidak ada data": {"id": "tidak ada data", "en": "no data"},
    # Methodology
    "methodology": {"id": "Metodologi dan sumber", "en": "Methodology and sources"},
    "method_present": {
        "id": "Keberadaan: orang asing dihitung sekali (kunci orang yang dipseudonimkan) bila memegang "
        "izin tinggal yang berlaku pada tanggal acuan; wilayahnya adalah kabupaten/kota izin yang "
        "terbit paling akhir.",
        "en": "Presence: a foreigner counts once (pseudonymised person key) when holding a stay permit "
        "valid on the reference date; their region is that of the most recently issued permit.",
    },
    "method_findings": {
        "id": "Temuan: hasil pencocokan otomatis antarinstansi (deteksi dini); setiap temuan memiliki "
        "instansi penanggung jawab untuk ditindaklanjuti dan diverifikasi.",
        "en": "Findings: automatic cross-agency matching (early detection); each finding has a "
        "responsible agency to follow it up and verify it.",
    },
    "method_quality": {
        "id": "Kualitas: setiap berkas diperiksa saat dimuat; berkas yang gagal pemeriksaan memblokir "
        "tidak dipakai dalam angka di atas.",
        "en": "Quality: every file is checked on load; a file failing a blocking check is not used in "
        "the figures above.",
    },
    "method_suppression": {
        "id": "Angka di bawah {k} ditampilkan sebagai \u201c< {k}\u201d untuk melindungi data pribadi.",
        "en": "Counts below {k} are shown as \u201c< {k}\u201d to protect personal data.",
    },
    "method_privacy": {
        "id": "Dokumen ini tidak memuat nama atau nomor paspor "
        "(UU 27/2022 tentang Pelindungan Data Pribadi).",
        "en": "This document contains no names or passport numbers "
        "(Law 27/2022 on Personal Data Protection).",
    },
    "sources": {"id": "Sumber data", "en": "Data sources"},
    # Region levels
    "level_provinsi": {"id": "Provinsi", "en": "Province"},
    "level_kabupaten": {"id": "Kabupaten", "en": "Regency"},
    "level_kota": {"id": "Kota", "en": "City"},
    # Finding types (DESIGN.md); unknown codes fall back to the code itself
    "finding_OVERSTAY": {"id": "Melebihi izin tinggal (overstay)", "en": "Overstay"},
    "finding_TKA_TANPA_ITAS": {"id": "TKA tanpa ITAS kerja", "en": "Foreign worker without a work ITAS"},
    "finding_ITAS_KERJA_TANPA_RPTKA": {
        "id": "ITAS kerja tanpa data RPTKA",
        "en": "Work ITAS with no RPTKA record",
    },
    "finding_SKTT_TERLAMBAT": {"id": "SKTT terlambat (> 14 hari)", "en": "Late SKTT (> 14 days)"},
    "finding_LOKASI_BERBEDA": {"id": "Lokasi kerja berbeda", "en": "Work location differs"},
    "finding_IZIN_SEGERA_BERAKHIR": {
        "id": "Izin tinggal berakhir dalam 30 hari",
        "en": "Stay permit expiring within 30 days",
    },
    "finding_PENELITI_TANPA_PEMBERITAHUAN": {
        "id": "Peneliti tanpa pemberitahuan",
        "en": "Researcher without notification",
    },
    "finding_LONJAKAN_KEDATANGAN": {"id": "Lonjakan kedatangan", "en": "Arrival surge"},
    "finding_LAPORAN_MASYARAKAT_TIDAK_COCOK": {
        "id": "Laporan masyarakat tanpa data instansi",
        "en": "Community report with no agency record",
    },
    # Dates
    "months": {
        "id": "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember",
        "en": "January February March April May June July August September October November December",
    },
    "weekdays": {
        "id": "Senin Selasa Rabu Kamis Jumat Sabtu Minggu",
        "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    },
}


class Labels(dict):
    """One language's labels; `labels["x"]` raises KeyError naming the missing key."""

    language: str

    def __missing__(self, key: str) -> str:
        raise KeyError(f"briefing label {key!r} is not in pantau.briefing.labels.LABELS")

    def get_or(self, key: str, fallback: str) -> str:
        return self.get(key, fallback)


def labels_for(language: str) -> Labels:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}; got {language!r}")
    labels = Labels()
    for key, translations in LABELS.items():
        if language not in translations:
            raise KeyError(f"briefing label {key!r} has no {language!r} translation")
        labels[key] = translations[language]
    labels.language = language
    return labels
