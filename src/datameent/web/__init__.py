"""The web layer: HTML pages and the JSON API. Routes parse, call one service, respond."""
