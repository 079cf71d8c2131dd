"""datameent: a data commons for the social domain of Dutch municipalities."""
