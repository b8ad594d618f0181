"""Problem clues (问题线索), centrally managed by the case management office: registration, the signed
disposals and their approval (services), the pages, the API and the statistics."""
