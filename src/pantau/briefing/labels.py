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
    "quality_mart_failed": {
        "id": "mart gagal validasi (belum tervalidasi)",
        "en": "marts failed validation (not validated)",
    },
    "quality_validated": {"id": "tervalidasi", "en": "validated"},
    "quality_batch_rejected": {"id": "ada batch ditolak", "en": "a batch was rejected"},
    "quality_not_validated": {"id": "belum divalidasi", "en": "not yet validated"},
    "quality_warnings": {"id": "ada peringatan", "en": "warnings raised"},
    "quality_incomplete": {"id": "tidak lengkap", "en": "incomplete"},
    "quality_no_data": {"id": "tidak ada data", "en": "no data"},
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
    # Sections that read a mart that may not exist yet
    "not_available": {
        "id": "Data tidak tersedia: mart {mart} belum ada (atau belum lengkap) di gudang data ini.",
        "en": "Data not available: the mart {mart} does not exist (or is incomplete) in this warehouse yet.",
    },
    "not_available_short": {"id": "data tidak tersedia", "en": "data not available"},
    # Summary: headline cards and developments
    "since_previous": {"id": "sejak rapat sebelumnya", "en": "since the previous meeting"},
    "new_resolved": {"id": "{new} baru, {resolved} selesai", "en": "{new} new, {resolved} resolved"},
    "active_workers": {"id": "Tenaga kerja asing aktif", "en": "Active foreign workers"},
    "arrivals_last_week": {
        "id": "Kedatangan tamu asing, 7 hari terakhir",
        "en": "Foreign guest arrivals, last 7 days",
    },
    "weekly_average": {
        "id": "rata-rata 12 minggu sebelumnya: {n}/minggu",
        "en": "average of the 12 weeks before: {n}/week",
    },
    "developments": {"id": "Perkembangan utama", "en": "Key developments"},
    "dev_new_findings_since": {
        "id": "Sejak {since} terdeteksi {n} temuan baru, terbanyak {type} ({k}), untuk ditindaklanjuti "
        "oleh {agency}.",
        "en": "Since {since}, {n} new findings were detected, most of them {type} ({k}), for follow-up "
        "by {agency}.",
    },
    "dev_new_findings": {
        "id": "Terdeteksi {n} temuan baru, terbanyak {type} ({k}), untuk ditindaklanjuti oleh {agency}.",
        "en": "{n} new findings were detected, most of them {type} ({k}), for follow-up by {agency}.",
    },
    "dev_high_severity": {
        "id": "{n} di antaranya berprioritas tinggi.",
        "en": "{n} of them are high priority.",
    },
    "dev_resolved": {"id": "{n} temuan telah selesai.", "en": "{n} findings were resolved."},
    "dev_open_findings": {
        "id": "Tidak ada temuan baru; {n} temuan masih terbuka, terbanyak {type} ({k}).",
        "en": "No new findings; {n} findings remain open, most of them {type} ({k}).",
    },
    "dev_no_findings": {
        "id": "Tidak ada temuan terbuka di wilayah ini.",
        "en": "There are no open findings in this region.",
    },
    "dev_not_validated": {
        "id": "Data masukan belum lolos pemeriksaan kualitas: angka dalam briefing ini belum tervalidasi.",
        "en": "The input data did not pass the quality checks: the figures in this briefing are not "
        "validated.",
    },
    "dev_rejected_files": {
        "id": "Berkas terakhir dari {agencies} ({feeds}) ditolak pemeriksaan kualitas; angkanya memakai "
        "data terakhir yang lolos pemeriksaan.",
        "en": "The latest file from {agencies} ({feeds}) was rejected by the quality checks; its figures "
        "use the last data that passed.",
    },
    "dev_stale_feeds": {
        "id": "Kiriman data dari {agencies} ({feeds}) terlambat atau tidak ada; angkanya mungkin tidak "
        "mutakhir.",
        "en": "Data from {agencies} ({feeds}) is late or missing; its figures may be out of date.",
    },
    "dev_arrivals_up": {
        "id": "Kedatangan tamu asing di penginapan dalam 7 hari terakhir ({n}) {pct} di atas rata-rata "
        "12 minggu sebelumnya ({base} per minggu).",
        "en": "Foreign guest arrivals at lodgings in the last 7 days ({n}) were {pct} above the average "
        "of the 12 weeks before ({base} per week).",
    },
    "dev_arrivals_new": {
        "id": "Tercatat {n} kedatangan tamu asing di penginapan dalam 7 hari terakhir, padahal 12 minggu "
        "sebelumnya tidak ada.",
        "en": "{n} foreign guests checked in at lodgings in the last 7 days, after none in the 12 weeks "
        "before.",
    },
    "dev_arrivals_top": {"id": "Terbanyak dari {country} ({n}).", "en": "Most came from {country} ({n})."},
    "dev_arrivals_down": {
        "id": "Kedatangan tamu asing di penginapan dalam 7 hari terakhir turun menjadi {n}, dibanding "
        "rata-rata {base} per minggu sebelumnya.",
        "en": "Foreign guest arrivals at lodgings in the last 7 days fell to {n}, against an average "
        "of {base} per week before.",
    },
    "dev_presence": {
        "id": "{n} orang asing memegang izin tinggal berlaku; terbanyak di {region} ({share}), "
        "dan kewarganegaraan terbanyak {country} ({k}).",
        "en": "{n} foreigners hold a valid stay permit; most are in {region} ({share}), and the largest "
        "nationality is {country} ({k}).",
    },
    "dev_presence_change": {
        "id": "Perubahan sejak {date}: {change}.",
        "en": "Change since {date}: {change}.",
    },
    "dev_workers": {
        "id": "{n} tenaga kerja asing aktif pada {employers} pemberi kerja; sektor terbanyak {sector} "
        "({share}).",
        "en": "{n} foreign workers are active with {employers} employers; the largest sector is {sector} "
        "({share}).",
    },
    # Permit type and purpose
    "permits": {"id": "Menurut jenis izin dan tujuan", "en": "By permit type and purpose"},
    "permits_intro": {
        "id": "Jenis izin tinggal (ITK kunjungan, ITAS terbatas, ITAP tetap) dan tujuan menurut indeks visa.",
        "en": "Stay permit type (ITK visit, ITAS limited, ITAP permanent) and purpose from the visa index.",
    },
    "purpose_col": {"id": "Tujuan", "en": "Purpose"},
    "permit_unknown": {"id": "Tidak diketahui", "en": "Unknown"},
    "purpose_kunjungan": {"id": "Kunjungan", "en": "Visit"},
    "purpose_bekerja": {"id": "Bekerja", "en": "Work"},
    "purpose_investor": {"id": "Investor", "en": "Investor"},
    "purpose_penelitian": {"id": "Penelitian", "en": "Research"},
    "purpose_keluarga": {"id": "Keluarga", "en": "Family"},
    "purpose_pekerja_jarak_jauh": {"id": "Pekerja jarak jauh", "en": "Remote worker"},
    "purpose_lainnya": {"id": "Lainnya", "en": "Other"},
    # Arrivals
    "arrivals": {"id": "Kedatangan di penginapan", "en": "Arrivals at lodgings"},
    "arrivals_intro": {
        "id": "Tamu asing yang check-in menurut laporan APOA, per minggu (minggu terakhir berakhir {date}).",
        "en": "Foreign guests checking in according to APOA reports, per week (the last week ends {date}).",
    },
    "chart_arrivals": {"id": "Kedatangan tamu asing per minggu", "en": "Foreign guest arrivals per week"},
    "chart_presence_trend": {
        "id": "Orang asing berizin tinggal yang berada di wilayah, 13 minggu terakhir",
        "en": "Foreigners present with a valid stay permit, last 13 weeks",
    },
    "chart_presence_trend_note": {
        "id": "Hitungan pada tanggal batas data dan hari yang sama pada 12 minggu sebelumnya, menurut data "
        "yang diketahui sekarang (izin yang dilaporkan terlambat ikut terhitung).",
        "en": "Counted on the cut-off day and the same weekday of the 12 weeks before, as known now "
        "(permits reported late are included).",
    },
    "last_week_col": {"id": "7 hari terakhir", "en": "Last 7 days"},
    "baseline_col": {"id": "Rata-rata 12 minggu", "en": "12-week average"},
    # Workers
    "workers": {"id": "Tenaga kerja asing", "en": "Foreign workers"},
    "workers_intro": {
        "id": "Tenaga kerja asing dengan RPTKA aktif pada {date} (Disnakertrans), menurut lokasi kerja.",
        "en": "Foreign workers with an RPTKA active on {date} (Disnakertrans), by work location.",
    },
    "sector_col": {"id": "Sektor", "en": "Sector"},
    "kbli_col": {"id": "Bidang usaha (KBLI)", "en": "Business field (KBLI)"},
    "employer_col": {"id": "Pemberi kerja", "en": "Employer"},
    "location_col": {"id": "Lokasi kerja", "en": "Work location"},
    "workers_col": {"id": "TKA", "en": "Workers"},
    "workers_by_sector": {"id": "Menurut sektor", "en": "By sector"},
    "workers_by_location": {"id": "Menurut lokasi kerja", "en": "By work location"},
    "workers_by_kbli": {"id": "Menurut bidang usaha", "en": "By business field"},
    "workers_top_employers": {"id": "Pemberi kerja terbesar", "en": "Largest employers"},
    "workers_by_country": {"id": "Menurut kewarganegaraan", "en": "By nationality"},
    "employers_note": {
        "id": "{shown} dari {total} pemberi kerja; lokasi dan sektor tempat sebagian besar TKA-nya bekerja.",
        "en": "{shown} of {total} employers; location and sector where most of their workers are.",
    },
    "no_workers": {
        "id": "Tidak ada tenaga kerja asing dengan RPTKA aktif pada tanggal acuan.",
        "en": "No foreign worker had an active RPTKA on the reference date.",
    },
    "sector_JASA": {"id": "Jasa", "en": "Services"},
    "sector_INDUSTRI": {"id": "Industri", "en": "Industry"},
    "sector_PERTANIAN_DAN_MARITIM": {"id": "Pertanian dan maritim", "en": "Agriculture and maritime"},
    "sector_PERTANIAN DAN MARITIM": {"id": "Pertanian dan maritim", "en": "Agriculture and maritime"},
    # Findings: severity and follow-up
    "severity_col": {"id": "Prioritas", "en": "Priority"},
    "severity_tinggi": {"id": "tinggi", "en": "high"},
    "severity_sedang": {"id": "sedang", "en": "medium"},
    "severity_rendah": {"id": "rendah", "en": "low"},
    "follow_up": {"id": "Tindak lanjut per instansi", "en": "Follow-up by agency"},
    "follow_up_intro": {
        "id": "Temuan terbuka (dan yang selesai sejak rapat sebelumnya) per instansi penanggung jawab, "
        "menurut jenis dan kabupaten/kota. Rincian kasus tersedia bagi petugas berwenang di skema "
        "restricted gudang data.",
        "en": "Open findings (and those resolved since the previous meeting) per responsible agency, by "
        "type and regency/city. Case details are available to authorised officers in the warehouse's "
        "restricted schema.",
    },
    "oldest_col": {"id": "Terbuka sejak", "en": "Open since"},
    "agency_open": {"id": "{n} temuan terbuka", "en": "{n} open findings"},
    # Freshness and scorecard
    "freshness": {"id": "Kesegaran data per sumber", "en": "Data freshness per feed"},
    "freshness_intro": {
        "id": "Berkas terakhir yang lolos pemeriksaan, per sumber, dibanding jadwal kirimnya (per {date}).",
        "en": "The latest file that passed the checks, per feed, against its delivery schedule "
        "(as of {date}).",
    },
    "cadence_col": {"id": "Jadwal", "en": "Schedule"},
    "last_accepted_col": {"id": "Terakhir diterima", "en": "Last accepted"},
    "freshness_col": {"id": "Kesegaran", "en": "Freshness"},
    "cadence_days": {"id": "tiap {n} hari", "en": "every {n} days"},
    "cadence_ad_hoc": {"id": "sewaktu-waktu", "en": "ad hoc"},
    "fresh_tepat waktu": {"id": "tepat waktu", "en": "on time"},
    "fresh_terlambat": {"id": "terlambat", "en": "late"},
    "fresh_tidak ada": {"id": "tidak ada", "en": "missing"},
    "latest_files": {"id": "Berkas terakhir per sumber", "en": "Latest file per feed"},
    "held_back": {"id": "Berkas yang ditahan", "en": "Files held back"},
    "held_back_intro": {
        "id": "Berkas yang ditolak pemeriksaan kualitas atau dikarantina dalam periode ini; isinya tidak "
        "masuk ke angka briefing. Instansi pengirim diminta mengirim ulang berkas yang sudah diperbaiki.",
        "en": "Files rejected by a quality check or quarantined in this period; their contents are not "
        "in the briefing's figures. The sending agency is asked to send a corrected file.",
    },
    "held_back_none": {
        "id": "Tidak ada berkas yang ditolak atau dikarantina dalam periode ini.",
        "en": "No file was rejected or quarantined in this period.",
    },
    "held_back_more": {
        "id": "… dan {n} berkas lain (lihat audit.load_ledger dan Data Docs).",
        "en": "… and {n} more files (see audit.load_ledger and the Data Docs).",
    },
    "reason_col": {"id": "Alasan", "en": "Reason"},
    "scorecard": {"id": "Kartu nilai per instansi", "en": "Scorecard per agency"},
    "scorecard_since": {
        "id": "Berkas yang diterima sejak penyusunan briefing sebelumnya ({since}).",
        "en": "Files received since the previous briefing was prepared ({since}).",
    },
    "scorecard_all": {"id": "Semua berkas yang diterima.", "en": "All files received."},
    "files_col": {"id": "Berkas", "en": "Files"},
    "accepted_col": {"id": "Diterima", "en": "Accepted"},
    "rejected_col": {"id": "Ditolak", "en": "Rejected"},
    "on_time_col": {"id": "Sumber tepat waktu", "en": "Feeds on time"},
    "checks_failed_col": {
        "id": "Pemeriksaan gagal (memblokir/peringatan)",
        "en": "Checks failed (blocking/warning)",
    },
    # Methodology additions
    "method_cutoff": {
        "id": "Batas data {cutoff}: semua angka dihitung per tanggal acuan {reference}; temuan baru dan "
        "selesai dihitung sejak batas data rapat sebelumnya{since}.",
        "en": "Data cut-off {cutoff}: every figure is computed as of the reference date {reference}; new "
        "and resolved findings are counted since the previous meeting's cut-off{since}.",
    },
    "method_workers": {
        "id": "Tenaga kerja asing: data RPTKA Disnakertrans yang aktif pada tanggal acuan (tanggal mulai "
        "sampai tanggal selesai), menurut lokasi kerja.",
        "en": "Foreign workers: Disnakertrans RPTKA records active on the reference date (start to end "
        "date), by work location.",
    },
    "method_arrivals": {
        "id": "Kedatangan: tamu asing berbeda yang check-in per minggu menurut laporan APOA penginapan.",
        "en": "Arrivals: distinct foreign guests checking in per week according to lodging (APOA) reports.",
    },
    "finding_definitions": {"id": "Definisi temuan", "en": "Finding definitions"},
    "def_OVERSTAY": {
        "id": "Tercatat di penginapan atau laporan polisi setelah semua izin tinggalnya berakhir.",
        "en": "Recorded at a lodging or in a police report after all their stay permits had expired.",
    },
    "def_TKA_TANPA_ITAS": {
        "id": "Tenaga kerja asing dengan RPTKA aktif tanpa izin tinggal kerja yang berlaku.",
        "en": "A foreign worker with an active RPTKA and no valid work stay permit.",
    },
    "def_ITAS_KERJA_TANPA_RPTKA": {
        "id": "Izin tinggal kerja yang berlaku tanpa data RPTKA aktif di Disnakertrans.",
        "en": "A valid work stay permit with no active Disnakertrans RPTKA record.",
    },
    "def_SKTT_TERLAMBAT": {
        "id": "Pemegang ITAS tanpa SKTT lebih dari 14 hari setelah izin terbit.",
        "en": "An ITAS holder without an SKTT more than 14 days after the permit was issued.",
    },
    "def_LOKASI_BERBEDA": {
        "id": "Tenaga kerja asing yang berulang kali (3 kali dalam 90 hari) tercatat di luar lokasi "
        "kerjanya.",
        "en": "A foreign worker repeatedly (3 times in 90 days) recorded away from their work location.",
    },
    "def_IZIN_SEGERA_BERAKHIR": {
        "id": "ITAS atau ITAP yang berakhir dalam 30 hari.",
        "en": "An ITAS or ITAP expiring within 30 days.",
    },
    "def_PENELITI_TANPA_PEMBERITAHUAN": {
        "id": "Visa penelitian atau kunjungan penelitian tanpa pemberitahuan penelitian ke Kesbangpol.",
        "en": "A research visa or research visit without a research notification to Kesbangpol.",
    },
    "def_LONJAKAN_KEDATANGAN": {
        "id": "Kedatangan satu kewarganegaraan di satu kabupaten/kota dalam 7 hari (minimal 10) jauh di atas "
        "rata-rata 12 minggu sebelumnya.",
        "en": "Arrivals of one nationality in one regency/city over 7 days (at least 10) far above the "
        "average of the 12 weeks before.",
    },
    "def_LAPORAN_MASYARAKAT_TIDAK_COCOK": {
        "id": "Laporan masyarakat tanpa data instansi yang cocok di kabupaten/kota dan periode itu.",
        "en": "A community report with no matching agency record in that regency/city and period.",
    },
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
    """One language's labels; a missing key raises KeyError naming the missing key."""

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
