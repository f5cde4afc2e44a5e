"""What the pages share: text, URL state, editors, figure builders and layout helpers."""
