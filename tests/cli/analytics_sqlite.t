# RFM against the same query in SQLite over a generated chain (recency,
# frequency and monetary per member, exactly; returns count against money).
$ rfm_vs_sqlite 2026-02-20
receipts 2023, lines 13192, rejected 0; unknown cards 0; new ids: 0 members, 0 stores, 0 skus
same recency, frequency, monetary for 307 members
