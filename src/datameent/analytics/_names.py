"""Word lists for the synthetic municipality: common Dutch names and a fictional town."""

from __future__ import annotations

GIVEN_FEMALE = (
    "Anna",
    "Emma",
    "Sophie",
    "Julia",
    "Lisa",
    "Sanne",
    "Fleur",
    "Eva",
    "Anouk",
    "Iris",
    "Maria",
    "Johanna",
    "Petra",
    "Monique",
    "Sandra",
    "Ingrid",
    "Wilma",
    "Marieke",
    "Esther",
    "Linda",
    "Fatima",
    "Samira",
    "Nadia",
    "Yasmina",
    "Khadija",
    "Ayse",
    "Elif",
    "Zeynep",
    "Priya",
    "Sharon",
    "Naomi",
    "Chantal",
    "Gabriëlle",
    "Renée",
    "Daniëlle",
    "Joëlle",
)
GIVEN_MALE = (
    "Jan",
    "Pieter",
    "Kees",
    "Henk",
    "Johan",
    "Willem",
    "Gerrit",
    "Hans",
    "Peter",
    "Marco",
    "Dennis",
    "Sander",
    "Bas",
    "Thijs",
    "Daan",
    "Lucas",
    "Sem",
    "Ruben",
    "Stefan",
    "Erik",
    "Mohamed",
    "Ahmed",
    "Youssef",
    "Mustafa",
    "Hamza",
    "Mehmet",
    "Emre",
    "Burak",
    "Ricardo",
    "Romano",
    "Dewi",
    "Rajesh",
    "Tomasz",
    "Andrzej",
    "Joël",
    "Rémy",
)
# (prefix, family name): Dutch surnames keep their prefix ("van der") apart for sorting.
FAMILY = (
    ("de", "Jong"),
    ("", "Jansen"),
    ("de", "Vries"),
    ("van den", "Berg"),
    ("van", "Dijk"),
    ("", "Bakker"),
    ("", "Janssen"),
    ("", "Visser"),
    ("", "Smit"),
    ("", "Meijer"),
    ("de", "Boer"),
    ("", "Mulder"),
    ("de", "Groot"),
    ("", "Bos"),
    ("", "Vos"),
    ("", "Peters"),
    ("", "Hendriks"),
    ("van", "Leeuwen"),
    ("", "Dekker"),
    ("", "Brouwer"),
    ("de", "Wit"),
    ("", "Dijkstra"),
    ("", "Smits"),
    ("de", "Graaf"),
    ("van der", "Meer"),
    ("van der", "Linden"),
    ("", "Kok"),
    ("", "Jacobs"),
    ("de", "Haan"),
    ("", "Vermeulen"),
    ("van den", "Heuvel"),
    ("van der", "Veen"),
    ("van den", "Broek"),
    ("de", "Bruijn"),
    ("van der", "Heijden"),
    ("", "Schouten"),
    ("van", "Beek"),
    ("", "Willems"),
    ("van", "Vliet"),
    ("van de", "Ven"),
    ("", "Hoekstra"),
    ("", "Maas"),
    ("", "Verhoeven"),
    ("", "Koster"),
    ("van", "Dam"),
    ("", "Prins"),
    ("", "Blom"),
    ("", "Huisman"),
    ("", "Kuipers"),
    ("", "Postma"),
    ("el", "Amrani"),
    ("", "Bouzid"),
    ("", "Yilmaz"),
    ("", "Öztürk"),
    ("", "Kaya"),
    ("", "Demir"),
    ("", "Çelik"),
    ("", "Şahin"),
    ("", "Ramdin"),
    ("", "Sewnarain"),
    ("", "Martina"),
    ("", "Kowalski"),
    ("", "Nowak"),
    ("", "Haddou"),
    ("", "Benali"),
)
# A fictional town; its postcodes are invented for the demo and may exist elsewhere.
CITY = "Meenthaven"
NEIGHBOURHOODS = (
    ("Centrum", "3701", ("Marktstraat", "Kerkplein", "Havenkade", "Nieuwstraat")),
    ("Oude Haven", "3702", ("Kadestraat", "Visserslaan", "Touwbaan", "Zeilmakerstraat")),
    ("Spoorwijk", "3703", ("Stationsweg", "Rails", "Seinwachterstraat", "Wissellaan")),
    ("Bloemenbuurt", "3704", ("Rozenstraat", "Tulpstraat", "Lelielaan", "Irisplein")),
    ("De Meent", "3705", ("Meentweg", "Weideplein", "Hooilaan", "Schapendrift")),
    ("Westpolder", "3706", ("Polderweg", "Molenstraat", "Slotenlaan", "Dijkgraafstraat")),
    ("Kanaalzone", "3707", ("Kanaalstraat", "Sluisweg", "Brugwachtersweg", "Jaagpad")),
    ("Noorderpark", "3708", ("Parklaan", "Vijverhof", "Berkenlaan", "Eikenstraat")),
)
OCCUPATIONS = (
    "Schoonmaker",
    "Magazijnmedewerker",
    "Verkoopmedewerker",
    "Kassamedewerker",
    "Productiemedewerker",
    "Chauffeur",
    "Kok",
    "Horecamedewerker",
    "Verzorgende",
    "Administratief medewerker",
    "Callcentermedewerker",
    "Beveiliger",
    "Bouwvakker",
    "Tuinman",
    "Kapper",
    "Pakketbezorger",
    "Klantenservicemedewerker",
    "Timmerman",
)

# For municipalities larger than the demo: surnames and neighbourhoods built from Dutch parts, so
# that name frequencies have a long tail as in a real register (linkage depends on that).
SURNAME_STEMS = (
    "Berg", "Brink", "Dijk", "Veen", "Hout", "Kamp", "Hof", "Meer", "Bosch", "Akker", "Wal",
    "Horst", "Beek", "Broek", "Hoek", "Laan", "Kerk", "Molen", "Schoot", "Haar", "Velde", "Kolk",
    "Zand", "Heide", "Sloot", "Vaart", "Dam", "Burg", "Kuil", "Weerd", "Geest", "Hamer", "Smed",
    "Wever", "Bakk", "Vink", "Haan", "Mol", "Steen", "Rook",
)  # fmt: skip
SURNAME_ENDINGS = (
    "", "man", "s", "er", "ink", "huis", "ema", "stra", "sma", "kamp", "veld", "mans", "ers",
    "hof", "boer", "ing", "elaar", "ouw",
)  # fmt: skip
SURNAME_PREFIXES = ("", "", "", "", "van", "van de", "van der", "van den", "de", "ter", "ten")
QUARTERS = ("Noord", "Zuid", "Oost", "West", "Hoog", "Laag", "Nieuw", "Oud")
QUARTER_PARTS = (
    "Akker", "Veld", "Hof", "Park", "Weide", "Kwartier", "Dorp", "Enk", "Polder", "Buurt",
    "Kamp", "Es", "Hoeve", "Vaart",
)  # fmt: skip
STREET_TYPES = ("straat", "laan", "weg", "plein", "hof", "kade", "singel", "pad")
MIGRANT_GIVEN = frozenset(
    {
        "Fatima", "Samira", "Nadia", "Yasmina", "Khadija", "Ayse", "Elif", "Zeynep", "Priya",
        "Mohamed", "Ahmed", "Youssef", "Mustafa", "Hamza", "Mehmet", "Emre", "Burak", "Rajesh",
        "Tomasz", "Andrzej", "Ricardo", "Romano", "Dewi", "Sharon", "Chantal",
    }
)  # fmt: skip
"""Given names more common among residents with a migration background (for plausible
co-occurrence, not as a rule: the generator mixes both pools)."""
MIGRANT_FAMILY = frozenset(
    {
        "Amrani", "Bouzid", "Yilmaz", "Öztürk", "Kaya", "Demir", "Çelik", "Şahin", "Ramdin",
        "Sewnarain", "Martina", "Kowalski", "Nowak", "Haddou", "Benali",
    }
)  # fmt: skip


# Larger towns need the long tail of a real register: two names shared by thousands of people
# make doppelgangers (same name, same birth date) far more common than they are, which is what
# record linkage has to tell apart. So more given names, and surnames of residents with a
# migration background as varied as Dutch ones.
MORE_GIVEN_FEMALE = tuple(
    """Lotte Sara Tess Lieke Noa Mila Evi Saar Nina Roos Femke Ilse Lisanne Kim Manon Charlotte
    Annemieke Marloes Mirjam Karin Ellen Yvonne Astrid Carla Anja Hanneke Wendy Bianca Marjolein
    Jolanda Natasja Miranda Suzanne Nicole Patricia Marianne Elisabeth Cornelia Hendrika
    Geertruida Wilhelmina Jacoba Aaltje Grietje Trijntje Hilde Lies Rianne Sietske Baukje Froukje
    Tineke Dineke Gerda Hennie Truus Ria Joke Hanane Loubna Souad Meryem Asmae Salma Imane Hafsa
    Ikram Amina Zehra Emine Fatma Hatice Büşra Esra Merve Kübra Anjali Sunita Kavita Shanti
    Agnieszka Katarzyna Magdalena Joanna Ewa Marisol Yolanda Esperanza""".split()
)
MORE_GIVEN_MALE = tuple(
    """Bram Luuk Jesse Milan Tim Lars Niels Joris Koen Stijn Wouter Jeroen Martijn Mark Robert
    Richard Frank Paul Michiel Arjen Gert Hendrik Cornelis Jacobus Johannes Adrianus Wilhelmus
    Theodorus Gijs Teun Rutger Floris Maarten Sjoerd Wietse Jelle Hidde Tjeerd Douwe Klaas Dirk
    Gerard Piet Wim Harm Evert Jurre Olaf Rens Mees Finn Siem Thomas Hugo Boaz Bart Vincent Roel
    Freek Karim Rachid Said Bilal Ilias Soufiane Anouar Omar Yassin Hakan Murat Serkan Kemal Ali
    Hasan Ibrahim Osman Ravi Sunil Anand Vikram Piotr Krzysztof Marek Paweł Edson Gilberto Ramon
    Jurgen""".split()
)
MORE_MIGRANT_GIVEN = frozenset(
    """Hanane Loubna Souad Meryem Asmae Salma Imane Hafsa Ikram Amina Zehra Emine Fatma Hatice Büşra
    Esra Merve Kübra Anjali Sunita Kavita Shanti Agnieszka Katarzyna Magdalena Joanna Ewa Marisol
    Yolanda Esperanza Karim Rachid Said Bilal Ilias Soufiane Anouar Omar Yassin Hakan Murat Serkan
    Kemal Ali Hasan Ibrahim Osman Ravi Sunil Anand Vikram Piotr Krzysztof Marek Paweł Edson
    Gilberto Ramon Jurgen""".split()
)
MORE_MIGRANT_FAMILY = tuple(
    """Aydın Arslan Doğan Koç Kurt Özdemir Yıldız Yıldırım Aksoy Güler Polat Erdoğan Tekin Ünal
    Jagroep Ramsaran Soekhoe Bisessar Mahabier Ramautar Baldew Kisoensingh Wiśniewski Wójcik
    Kamiński Lewandowski Zieliński Szymański Dąbrowski Kozłowski Rosaria Cijntje Isenia
    Pieternella Leito Statia Bakkali Chaouch Azzouzi Tahiri Benaissa Mansouri Lahlou Essaidi
    Chahid Ouali Boukhari Amezian Zaari Hamdi Ouarga Bouhlal Tounsi Khattabi Ziani""".split()
)
