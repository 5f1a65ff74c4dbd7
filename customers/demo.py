"""A synthetic, reproducible telecom customer base for demos, risk models and benchmarks.

Customers are generated in blocks of ``BLOCK``; each block draws from its own random stream,
keyed by the seed and the index of its first customer, so the same seed gives the same rows
whatever the batch size (the number of customers written per transaction). Dates are relative
to a reference day (today unless given), so runs on different days differ only by that shift.

Churn and payment behaviour follow latent drivers drawn first (contract type, tenure, monthly
charges, complaint and late-payment propensity); the status and the whole history are then
derived from them, so models trained on the result find real signal.

PostgreSQL gets COPY, with the next batch generated meanwhile in a child process so that Python
and the database server each have a core; a large load also rebuilds the indexes once instead of
updating them row by row (see ``_postgres_load``). SQLite gets plain multi-row inserts.
"""

import functools
import json
import multiprocessing
import queue
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone

from customers.models import (
    ActionLog,
    CommunicationPreferences,
    Consent,
    ContactMedium,
    Customer,
    CustomerRelationship,
    Interaction,
    Invoice,
    LifecycleEvent,
    Partner,
    Party,
    Product,
    Subscription,
)
from customers.normalization import name_key, postal_one_line
from customers.services.customers import party_names
from customers.services.lifecycle import TERMINATION_REASONS_ALLOWING_OVERDUE_DEBT, TRANSITIONS
from customers.services.numbers import (
    customer_serials_allocate,
    format_customer_number,
    luhn_check_digit,
)

BLOCK = 1000
DEFAULT_BATCH_SIZE = 20_000
BULK_LOAD_MIN_CUSTOMERS = 50_000
ACTOR_LABEL = "seed_demo"
HISTORY_MONTHS = 60
BILLING_MONTHS = 24
DAY = 86_400

# National ids, registration numbers and phone numbers embed a permutation of the customer's
# index, which keeps them unique for the first ten million customers of a database.
_UNIQUE_SPACE = 10_000_000
_UNIQUE_STRIDE = 7_654_321  # coprime with _UNIQUE_SPACE, so the map is a permutation

Status = Customer.Status
Segment = Customer.Segment

# --- Vocabulary -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Country:
    code: str
    weight: float
    language: str
    given_female: tuple[str, ...]
    given_male: tuple[str, ...]
    family: tuple[str, ...]
    streets: tuple[str, ...]
    house_number_first: bool
    # (city, postcode prefixes); the country's postcode_tail completes each prefix.
    cities: tuple[tuple[str, tuple[str, ...]], ...]
    postcode_tail: str
    mobile_prefixes: tuple[str, ...]
    mobile_random_digits: int  # digits between the prefix and the seven unique ones
    company_suffixes: tuple[str, ...]


_GB_STREET_NAMES = (
    "High", "Station", "Church", "Victoria", "Park", "Mill", "Queen's", "King's", "Manor",
    "Elm", "Oak", "York", "London", "Windsor", "Grange", "Chapel", "Green", "Albert",
    "Springfield", "Meadow", "Orchard", "Castle", "Beech", "Cedar", "Willow", "Highfield",
)  # fmt: skip
_GB_STREET_TYPES = ("Street", "Road", "Lane", "Avenue", "Close", "Way", "Crescent", "Drive",
                    "Gardens", "Terrace", "Place")  # fmt: skip

COUNTRIES = (
    _Country(
        code="GB",
        weight=0.46,
        language="en",
        given_female=(
            "Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophie", "Grace", "Lily", "Chloe",
            "Jessica", "Charlotte", "Hannah", "Megan", "Lucy", "Ella", "Freya", "Zoë", "Aisha",
            "Priya", "Eleanor", "Rosie", "Imogen", "Sarah", "Rebecca", "Laura", "Fatima",
        ),
        given_male=(
            "James", "Oliver", "Harry", "George", "Jack", "Thomas", "William", "Daniel",
            "Samuel", "Joseph", "Benjamin", "Charlie", "Alexander", "Edward", "Henry", "Matthew",
            "Ryan", "Adam", "Liam", "Noah", "Mohammed", "Arjun", "Kwame", "Rhys", "Callum", "Ewan",
        ),
        family=(
            "Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
            "Robinson", "Wright", "Thompson", "Evans", "Walker", "White", "Roberts", "Green",
            "Hall", "Wood", "Jackson", "Clarke", "Patel", "Khan", "Singh", "Ahmed", "Hughes",
            "Edwards", "O'Brien", "Murphy", "MacDonald", "Campbell", "Stewart", "Morgan",
            "Lewis", "Harris", "Martin", "Cooper", "King", "Baker", "Turner", "Phillips",
            "Okafor", "Mensah", "Chen", "Nguyen", "Fernandes", "Kowalski", "Hussain",
        ),
        streets=tuple(f"{n} {t}" for n in _GB_STREET_NAMES for t in _GB_STREET_TYPES),
        house_number_first=True,
        cities=(
            ("London", ("SW4", "SE15", "E8", "N16", "NW3", "W12", "EC1V", "SW11", "E17", "N1")),
            ("Manchester", ("M1", "M4", "M14", "M20", "M21")),
            ("Birmingham", ("B1", "B13", "B15", "B29", "B30")),
            ("Leeds", ("LS1", "LS6", "LS8", "LS17")),
            ("Glasgow", ("G1", "G3", "G12", "G41")),
            ("Edinburgh", ("EH1", "EH3", "EH6", "EH10")),
            ("Bristol", ("BS1", "BS6", "BS7", "BS8")),
            ("Liverpool", ("L1", "L8", "L15", "L17")),
            ("Cardiff", ("CF10", "CF11", "CF14", "CF24")),
            ("Belfast", ("BT1", "BT7", "BT9")),
            ("Newcastle upon Tyne", ("NE1", "NE2", "NE6")),
            ("Sheffield", ("S1", "S7", "S10", "S11")),
            ("Nottingham", ("NG1", "NG5", "NG7")),
            ("Brighton", ("BN1", "BN2", "BN3")),
            ("Oxford", ("OX1", "OX2", "OX4")),
            ("Cambridge", ("CB1", "CB2", "CB4")),
            ("York", ("YO1", "YO10", "YO24")),
            ("Southampton", ("SO14", "SO15", "SO17")),
        ),
        postcode_tail=" #@@",
        mobile_prefixes=("+4471", "+4472", "+4473"),
        mobile_random_digits=1,
        company_suffixes=("Ltd", "Ltd", "Ltd", "LLP", "Limited", "plc"),
    ),
    _Country(
        code="IE",
        weight=0.06,
        language="en",
        given_female=("Aoife", "Saoirse", "Niamh", "Róisín", "Ciara", "Emma", "Sinéad",
                      "Orla", "Clodagh", "Aisling", "Siobhán", "Méabh"),
        given_male=("Seán", "Conor", "Ciarán", "Patrick", "Darragh", "Oisín", "Cian", "Liam",
                    "Eoin", "Cathal", "Pádraig", "Donal"),
        family=("Murphy", "Kelly", "O'Sullivan", "Walsh", "Byrne", "Ryan", "O'Connor",
                "O'Neill", "Doyle", "McCarthy", "Gallagher", "Kennedy", "Lynch", "Quinn",
                "Brennan", "Ó Briain", "Fitzgerald", "Nolan"),
        streets=("Main Street", "Church Road", "Strand Road", "Patrick Street", "Grafton Street",
                 "Ashgrove Avenue", "Seafield Road", "Castle Street", "Bridge Street",
                 "Oakpark Drive", "Willow Lawn", "Abbey Street"),
        house_number_first=True,
        cities=(
            ("Dublin", ("D01", "D02", "D04", "D06", "D08", "D15", "D24")),
            ("Cork", ("T12", "T23")),
            ("Galway", ("H91",)),
            ("Limerick", ("V94",)),
            ("Waterford", ("X91",)),
        ),
        postcode_tail=" XXXX",
        mobile_prefixes=("+35383", "+35385", "+35386", "+35387", "+35389"),
        mobile_random_digits=0,
        company_suffixes=("Ltd", "Limited", "DAC", "Teoranta"),
    ),
    _Country(
        code="DE",
        weight=0.10,
        language="de",
        given_female=("Anna", "Lena", "Sophie", "Hannah", "Katharina", "Jana", "Mia", "Lea",
                      "Sabine", "Jördis", "Ursula", "Petra", "Julia", "Käthe"),
        given_male=("Lukas", "Jonas", "Maximilian", "Felix", "Jürgen", "Stefan", "Tobias",
                    "Sebastian", "Jörg", "Björn", "Uwe", "Florian", "Matthias", "Günter"),
        family=("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner",
                "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein",
                "Wolf", "Schröder", "Neumann", "Zimmermann", "Krüger", "Hartmann", "Yılmaz",  # noqa: RUF001
                "Öztürk", "Lange"),
        streets=("Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße",
                 "Goethestraße", "Lindenallee", "Am Markt", "Berliner Straße", "Kirchgasse",
                 "Mozartstraße", "Waldstraße", "Friedrichstraße", "Rosenweg", "Ringstraße"),
        house_number_first=False,
        cities=(
            ("Berlin", ("101", "103", "104", "105", "106", "107", "108", "120", "121", "130")),
            ("Hamburg", ("200", "201", "220", "221", "227")),
            ("München", ("803", "804", "806", "807", "813")),
            ("Köln", ("506", "507", "508", "509")),
            ("Frankfurt am Main", ("603", "604", "605", "659")),
            ("Stuttgart", ("701", "703", "705")),
            ("Düsseldorf", ("402", "404", "405")),
            ("Leipzig", ("041", "042", "043")),
            ("Nürnberg", ("904",)),
        ),
        postcode_tail="##",
        mobile_prefixes=("+49151", "+49152", "+49157", "+49159"),
        mobile_random_digits=1,
        company_suffixes=("GmbH", "GmbH", "AG", "GmbH & Co. KG", "e.K."),
    ),
    _Country(
        code="FR",
        weight=0.08,
        language="fr",
        given_female=("Chloé", "Léa", "Manon", "Camille", "Inès", "Zoé", "Hélène", "Élodie",
                      "Margaux", "Céline", "Amélie", "Louise"),
        given_male=("Louis", "Gabriel", "Léo", "Hugo", "Jules", "Théo", "Raphaël", "Antoine",
                    "Étienne", "François", "Mathis", "Yanis"),
        family=("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit",
                "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Faure",
                "Rousseau", "Blanc", "Guérin", "Boyer", "Benali"),
        streets=("rue de la République", "avenue Victor Hugo", "boulevard Saint-Michel",
                 "rue du Moulin", "place de la Mairie", "chemin des Vignes", "rue de la Paix",
                 "avenue Jean Jaurès", "rue Pasteur", "rue des Écoles", "allée des Tilleuls"),
        house_number_first=True,
        cities=(
            ("Paris", ("7500", "7501")),
            ("Lyon", ("6900",)),
            ("Marseille", ("1300", "1301")),
            ("Toulouse", ("3100", "3140")),
            ("Nantes", ("4400", "4410")),
            ("Strasbourg", ("6700", "6710")),
            ("Bordeaux", ("3300", "3380")),
            ("Lille", ("5900", "5980")),
        ),
        postcode_tail="#",
        mobile_prefixes=("+3360", "+3361", "+3362", "+3364", "+3365", "+3366", "+3367"),
        mobile_random_digits=0,
        company_suffixes=("SARL", "SAS", "SA", "EURL"),
    ),
    _Country(
        code="ES",
        weight=0.08,
        language="es",
        given_female=("Lucía", "María", "Paula", "Sofía", "Carmen", "Elena", "Marta", "Inés",
                      "Nerea", "Ana", "Laura", "Begoña"),
        given_male=("Alejandro", "Pablo", "Daniel", "Javier", "José", "Álvaro", "Sergio",
                    "Andrés", "Hugo", "Iñigo", "Carlos", "Raúl"),
        family=("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez",
                "Pérez", "Gómez", "Martín", "Jiménez", "Ruiz", "Hernández", "Díaz", "Moreno",
                "Muñoz", "Álvarez", "Romero", "Navarro", "Torres"),
        streets=("Calle Mayor", "Avenida de la Constitución", "Calle del Sol", "Paseo de Gracia",
                 "Calle de Alcalá", "Plaza de España", "Calle Real", "Avenida de América",
                 "Calle de la Iglesia", "Ronda de Toledo"),
        house_number_first=False,
        cities=(
            ("Madrid", ("2800", "2801", "2802", "2803", "2804")),
            ("Barcelona", ("0800", "0801", "0802", "0803")),
            ("Valencia", ("4600", "4601", "4602")),
            ("Sevilla", ("4100", "4101")),
            ("Zaragoza", ("5000", "5001")),
            ("Málaga", ("2900", "2901")),
            ("Bilbao", ("4800", "4801")),
        ),
        postcode_tail="#",
        mobile_prefixes=("+346",),
        mobile_random_digits=1,
        company_suffixes=("S.L.", "S.L.", "S.A.", "S.L.U."),
    ),
    _Country(
        code="IT",
        weight=0.06,
        language="it",
        given_female=("Giulia", "Sofia", "Aurora", "Chiara", "Francesca", "Alessia", "Martina",
                      "Beatrice", "Elisa", "Noemi"),
        given_male=("Leonardo", "Francesco", "Alessandro", "Lorenzo", "Matteo", "Niccolò",
                    "Giuseppe", "Andrea", "Nicolò", "Gianluca"),
        family=("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo",
                "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa",
                "Fontana", "D'Angelo", "Mancini"),
        streets=("Via Roma", "Via Garibaldi", "Corso Vittorio Emanuele II", "Via Dante",
                 "Piazza del Duomo", "Via Mazzini", "Via Cavour", "Viale della Libertà",
                 "Via Verdi", "Via San Francesco"),
        house_number_first=False,
        cities=(
            ("Roma", ("001",)),
            ("Milano", ("201",)),
            ("Napoli", ("801",)),
            ("Torino", ("101",)),
            ("Bologna", ("401",)),
            ("Firenze", ("501",)),
        ),
        postcode_tail="##",
        mobile_prefixes=("+3932", "+3933", "+3934", "+3935", "+3936", "+3938", "+3939"),
        mobile_random_digits=1,
        company_suffixes=("S.r.l.", "S.r.l.", "S.p.A.", "S.n.c."),
    ),
    _Country(
        code="NL",
        weight=0.05,
        language="nl",
        given_female=("Sanne", "Emma", "Julia", "Fleur", "Anouk", "Lotte", "Eva", "Noor",
                      "Fenna", "Iris"),
        given_male=("Daan", "Sem", "Lucas", "Bram", "Thijs", "Jesse", "Ruben", "Sven", "Joris",
                    "Stijn"),
        family=("de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker",
                "Janssen", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos",
                "Vos", "Peters"),
        streets=("Kerkstraat", "Dorpsstraat", "Molenweg", "Stationsweg", "Prinsengracht",
                 "Julianalaan", "Schoolstraat", "Beatrixlaan", "Nieuwstraat", "Marktplein"),
        house_number_first=False,
        cities=(
            ("Amsterdam", ("1011", "1012", "1015", "1017", "1053", "1072", "1091")),
            ("Rotterdam", ("3011", "3014", "3022", "3035")),
            ("Den Haag", ("2511", "2514", "2517", "2596")),
            ("Utrecht", ("3511", "3512", "3581")),
            ("Eindhoven", ("5611", "5612", "5615")),
            ("Groningen", ("9711", "9712", "9725")),
        ),
        postcode_tail=" LL",
        mobile_prefixes=("+3161", "+3162", "+3163", "+3164", "+3165"),
        mobile_random_digits=0,
        company_suffixes=("B.V.", "B.V.", "N.V.", "V.O.F."),
    ),
    _Country(
        code="PT",
        weight=0.04,
        language="pt",
        given_female=("Inês", "Beatriz", "Leonor", "Matilde", "Mariana", "Conceição", "Joana",
                      "Sofia"),
        given_male=("João", "Tiago", "Duarte", "Rodrigo", "Gonçalo", "Afonso", "Rui", "Simão"),
        family=("Silva", "Santos", "Ferreira", "Pereira", "Oliveira", "Costa", "Rodrigues",
                "Martins", "Sousa", "Fernandes", "Gonçalves", "Gomes", "Lopes", "Marques"),
        streets=("Rua Augusta", "Avenida da Liberdade", "Rua de Santa Catarina",
                 "Travessa do Carmo", "Rua do Ouro", "Avenida da República", "Rua da Prata"),
        house_number_first=False,
        cities=(
            ("Lisboa", ("1000", "1050", "1100", "1150", "1200", "1250", "1600", "1700")),
            ("Porto", ("4000", "4050", "4100", "4150")),
            ("Braga", ("4700", "4710")),
            ("Coimbra", ("3000", "3030")),
        ),
        postcode_tail="-###",
        mobile_prefixes=("+35191", "+35192", "+35193", "+35196"),
        mobile_random_digits=0,
        company_suffixes=("Lda.", "Lda.", "S.A.", "Unipessoal Lda."),
    ),
    _Country(
        code="PL",
        weight=0.04,
        language="pl",
        given_female=("Zofia", "Zuzanna", "Julia", "Małgorzata", "Agnieszka", "Katarzyna",
                      "Anna", "Magdalena"),
        given_male=("Jakub", "Kacper", "Szymon", "Antoni", "Mateusz", "Łukasz", "Paweł",
                    "Piotr"),
        family=("Nowak", "Wójcik", "Kowalczyk", "Woźniak", "Mazur", "Krawczyk", "Kaczmarek",
                "Zając", "Król", "Wieczorek", "Wróbel", "Stępień", "Dudek", "Pawlak", "Sikora"),
        streets=("ul. Marszałkowska", "ul. Długa", "ul. Kwiatowa", "al. Jerozolimskie",
                 "ul. Słoneczna", "ul. Polna", "ul. Lipowa", "ul. Mickiewicza"),
        house_number_first=False,
        cities=(
            ("Warszawa", ("00", "01", "02", "03", "04")),
            ("Kraków", ("30", "31")),
            ("Wrocław", ("50", "51", "53")),
            ("Poznań", ("60", "61")),
            ("Gdańsk", ("80",)),
            ("Łódź", ("90", "91", "93")),
        ),
        postcode_tail="-###",
        mobile_prefixes=("+4850", "+4851", "+4853", "+4857", "+4860", "+4866", "+4869",
                         "+4872", "+4878", "+4879", "+4888"),
        mobile_random_digits=0,
        company_suffixes=("sp. z o.o.", "sp. z o.o.", "S.A.", "sp.j."),
    ),
    _Country(
        code="SE",
        weight=0.03,
        language="sv",
        given_female=("Astrid", "Ingrid", "Elsa", "Maja", "Linnéa", "Saga", "Ebba", "Karin"),
        given_male=("Erik", "Lars", "Oskar", "Anders", "Björn", "Karl", "Nils", "Gustav"),
        family=("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson",
                "Olsson", "Persson", "Svensson", "Gustafsson", "Lindström", "Åberg", "Sjöberg",
                "Löfgren"),
        streets=("Storgatan", "Drottninggatan", "Kungsgatan", "Skolgatan", "Ringvägen",
                 "Vasagatan", "Järnvägsgatan", "Björkvägen"),
        house_number_first=False,
        cities=(
            ("Stockholm", ("111", "113", "114", "116", "117", "118")),
            ("Göteborg", ("411", "413", "414")),
            ("Malmö", ("211", "214", "217")),
            ("Uppsala", ("752", "753")),
        ),
        postcode_tail=" ##",
        mobile_prefixes=("+4670", "+4672", "+4673", "+4676", "+4679"),
        mobile_random_digits=0,
        company_suffixes=("AB", "AB", "HB", "Handelsbolag"),
    ),
)  # fmt: skip

_TAIL_ALPHABETS = {
    "#": "0123456789",
    "@": "ABDEFGHJLNPQRSTUWXYZ",  # letters used in UK inward codes
    "L": "ABCDEGHJKLMNPRTVWXZ",  # Dutch postcode letters
    "X": "ACDEFHKNPRTVWXY0123456789",  # Eircode characters
}

_COMPANY_WORDS = (
    "Harbour", "Summit", "Nordic", "Atlas", "Bright", "Cedar", "Northgate", "Bluewater",
    "Evergreen", "Pioneer", "Riverside", "Keystone", "Silverline", "Oakfield", "Meridian",
    "Lighthouse", "Sterling", "Horizon", "Copperleaf", "Greenfield", "Falcon", "Orchid",
    "Granite", "Beacon", "Westbrook", "Crescent", "Alpine", "Zenith", "Lumen", "Vertex",
)  # fmt: skip
_INDUSTRIES = (
    "Logistics", "Consulting", "Dental Care", "Bakery", "Engineering", "Software",
    "Properties", "Solicitors", "Motors", "Hotels", "Analytics", "Construction", "Design",
    "Pharmacy", "Accountants", "Catering", "Fitness", "Veterinary Clinic", "Print", "Energy",
    "Security", "Travel", "Recruitment", "Media", "Foods", "Electrical", "Plumbing", "Dairy",
)  # fmt: skip

_TITLES_FEMALE = ("Ms", "Mrs", "Miss", "Dr", "")
_TITLES_FEMALE_P = (0.42, 0.25, 0.06, 0.04, 0.23)
_TITLES_MALE = ("Mr", "Dr", "")
_TITLES_MALE_P = (0.72, 0.04, 0.24)

_EMAIL_DOMAINS = (
    "example.com", "example.net", "example.org", "mail.example.com", "post.example.net",
    "inbox.example.org",
)  # fmt: skip
_ORG_MAILBOXES = ("info", "accounts", "billing", "office", "admin", "contact")

_ASCII_FOLD = str.maketrans({"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d",
                             "þ": "th", "ı": "i", " ": "", "-": ""})  # fmt: skip  # noqa: RUF001


@functools.cache
def _ascii_key(value: str) -> str:
    """The name as it can appear in an e-mail address or a domain."""
    return name_key(value).translate(_ASCII_FOLD)


@functools.lru_cache(maxsize=300_000)
def _derived_names(
    kind: str, given: str, family: str, legal: str, trading: str
) -> tuple[tuple[str, str], ...]:
    """What ``party_names`` derives from a name: the display name and the search keys.

    Cached, because names repeat across a large base and deriving keys is the costliest step of
    generating a party. The identifiers it normalises are generated in normal form already.
    """
    party = SimpleNamespace(
        kind=kind,
        given_name=given,
        family_name=family,
        legal_name=legal,
        trading_name=trading,
        national_id="",
        registration_number="",
        birth_date=None,
    )
    inputs = set(vars(party))
    party_names(party)
    return tuple((name, value) for name, value in vars(party).items() if name not in inputs)


# --- Catalogue ------------------------------------------------------------------------------

F = Product.Family
# code, name, family, list price in EUR, margin rate
CATALOGUE = (
    ("MOB-SIM10", "SIM Only 10 GB", F.MOBILE, "10.00", "0.580"),
    ("MOB-SIM50", "SIM Only 50 GB", F.MOBILE, "18.00", "0.550"),
    ("MOB-UNL", "Unlimited 5G", F.MOBILE, "30.00", "0.520"),
    ("MOB-UNLMAX", "Unlimited Max 5G with roaming", F.MOBILE, "45.00", "0.500"),
    ("MOB-PAYG", "Pay as you go", F.MOBILE, "7.50", "0.450"),
    ("MOB-BIZ", "Business Mobile Unlimited (per line)", F.MOBILE, "35.00", "0.480"),
    ("BB-FIBRE150", "Fibre 150", F.BROADBAND, "29.99", "0.350"),
    ("BB-FIBRE500", "Fibre 500", F.BROADBAND, "39.99", "0.380"),
    ("BB-GIGA", "Full Fibre 1 Gb", F.BROADBAND, "54.99", "0.400"),
    ("BB-BIZ", "Business Fibre 1 Gb with static IP", F.BROADBAND, "69.00", "0.420"),
    ("FV-HOME", "Home Phone", F.FIXED_VOICE, "12.00", "0.500"),
    ("FV-ANYTIME", "Anytime Calls", F.FIXED_VOICE, "19.00", "0.550"),
    ("FV-SIP", "Business SIP Trunk (10 channels)", F.FIXED_VOICE, "85.00", "0.450"),
    ("TV-ESS", "TV Essentials", F.TV, "15.00", "0.220"),
    ("TV-ENT", "TV Entertainment", F.TV, "28.00", "0.200"),
    ("TV-SPORT", "Sports Pack", F.TV, "35.00", "0.150"),
    ("BUN-DUO", "Fibre + Mobile Duo", F.BUNDLE, "49.99", "0.400"),
    ("BUN-TRIO", "Fibre + TV + Phone Trio", F.BUNDLE, "69.99", "0.380"),
    ("BUN-FAMILY", "Family Bundle (4 SIMs + Fibre)", F.BUNDLE, "89.99", "0.420"),
    ("BUN-OFFICE", "Office Bundle (Fibre, 5 lines, SIP)", F.BUNDLE, "149.00", "0.450"),
    ("DEV-PHONE", "Smartphone plan (24 months)", F.DEVICE, "22.00", "0.120"),
    ("DEV-PHONE-PRO", "Premium smartphone plan (24 months)", F.DEVICE, "45.00", "0.100"),
    ("DEV-TABLET", "Tablet plan (24 months)", F.DEVICE, "18.00", "0.120"),
    ("DEV-MESH", "Mesh Wi-Fi rental", F.DEVICE, "6.00", "0.300"),
    ("ADD-ROAM", "EU Roaming Pass", F.ADD_ON, "5.00", "0.750"),
    ("ADD-INTL", "International Minutes 300", F.ADD_ON, "8.00", "0.700"),
    ("ADD-DATA10", "Extra 10 GB", F.ADD_ON, "6.00", "0.800"),
    ("ADD-SEC", "Internet Security", F.ADD_ON, "4.99", "0.650"),
    ("ADD-CLOUD", "Cloud Storage 1 TB", F.ADD_ON, "3.99", "0.600"),
    ("ADD-INSURE", "Device Insurance", F.ADD_ON, "9.99", "0.550"),
    ("ADD-STATICIP", "Static IP address", F.ADD_ON, "5.00", "0.850"),
    ("ENT-WAN", "Managed WAN site", F.BROADBAND, "450.00", "0.380"),
    ("ENT-IOT", "IoT SIM pool (100 SIMs)", F.MOBILE, "120.00", "0.550"),
    ("WS-BITSTREAM", "Wholesale bitstream access (per line)", F.BROADBAND, "11.50", "0.180"),
    ("WS-MVNO", "Wholesale mobile access (per SIM)", F.MOBILE, "4.20", "0.200"),
)
del F

# Per segment: (products of the first subscription, weights), (products of further ones, weights)
_PRODUCT_MIX = {
    Segment.RESIDENTIAL: (
        {"MOB-SIM10": 8, "MOB-SIM50": 10, "MOB-UNL": 10, "MOB-UNLMAX": 4, "MOB-PAYG": 4,
         "BB-FIBRE150": 8, "BB-FIBRE500": 8, "BB-GIGA": 4, "BUN-DUO": 10, "BUN-TRIO": 7,
         "BUN-FAMILY": 5, "FV-HOME": 3, "DEV-PHONE": 6, "DEV-PHONE-PRO": 3},
        {"ADD-ROAM": 6, "ADD-INTL": 3, "ADD-DATA10": 5, "ADD-SEC": 5, "ADD-CLOUD": 3,
         "ADD-INSURE": 5, "DEV-PHONE": 6, "DEV-PHONE-PRO": 3, "DEV-TABLET": 2, "DEV-MESH": 3,
         "TV-ESS": 4, "TV-ENT": 3, "TV-SPORT": 3, "MOB-SIM10": 4, "MOB-SIM50": 4,
         "FV-ANYTIME": 2},
    ),
    Segment.SMALL_BUSINESS: (
        {"MOB-BIZ": 10, "BB-BIZ": 8, "BUN-OFFICE": 8, "FV-SIP": 3, "BB-FIBRE500": 3},
        {"MOB-BIZ": 6, "ADD-STATICIP": 4, "ADD-SEC": 4, "ADD-ROAM": 3, "DEV-PHONE": 4,
         "DEV-PHONE-PRO": 3, "FV-SIP": 2, "ADD-INSURE": 2},
    ),
    Segment.ENTERPRISE: (
        {"ENT-WAN": 6, "MOB-BIZ": 6, "FV-SIP": 3, "ENT-IOT": 3},
        {"MOB-BIZ": 5, "ENT-IOT": 3, "ADD-STATICIP": 2, "FV-SIP": 3, "DEV-PHONE-PRO": 3,
         "ENT-WAN": 2},
    ),
    Segment.WHOLESALE: (
        {"WS-BITSTREAM": 6, "WS-MVNO": 6},
        {"WS-MVNO": 4, "WS-BITSTREAM": 4, "ENT-WAN": 2},
    ),
}  # fmt: skip
# Lines or sites per subscription: a business pays the per-line price many times over.
_QUANTITY = {
    Segment.RESIDENTIAL: (1, 1),
    Segment.SMALL_BUSINESS: (1, 8),
    Segment.ENTERPRISE: (5, 120),
    Segment.WHOLESALE: (40, 900),
}

PARTNERS = (
    ("Northwind Mobile", Partner.Status.APPROVED),
    ("Blue Harbour Telecom", Partner.Status.APPROVED),
    ("CityNet Resellers", Partner.Status.APPROVED),
    ("Alpine Connect", Partner.Status.APPROVED),
    ("Lumen Wholesale", Partner.Status.SUSPENDED),
)
STAFF = (
    ("manager1", "Helen", "Carter", "manager"),
    ("manager2", "Rafael", "Ortega", "manager"),
    ("manager3", "Ingrid", "Holm", "manager"),
    ("agent1", "Tom", "Reilly", "agent"),
    ("agent2", "Amira", "Haddad", "agent"),
    ("agent3", "Lukas", "Brandt", "agent"),
)

# --- Interaction texts ----------------------------------------------------------------------

_SUMMARIES = {
    Interaction.Kind.INQUIRY: (
        "Asked about the roaming charges for a trip abroad.",
        "Wanted to know when the contract ends and what the options are.",
        "Asked how to add a second line to the account.",
        "Questions about 5G coverage at home.",
        "Asked about upgrading the broadband speed.",
    ),
    Interaction.Kind.COMPLAINT: (
        "Broadband drops every evening; third time this month.",
        "Charged for data that the customer says was not used.",
        "Engineer did not turn up for the booked appointment.",
        "Poor mobile signal at home since the mast works.",
        "Unhappy with the price rise at the start of the year.",
        "Waited over an hour on the phone before reaching an agent.",
        "Router replaced twice, still disconnecting.",
    ),
    Interaction.Kind.ORDER: (
        "Ordered an additional SIM card.",
        "Upgraded to a higher broadband tier.",
        "Ordered a new handset on a device plan.",
        "Added the EU roaming pass.",
    ),
    Interaction.Kind.BILLING: (
        "Asked for an explanation of the last invoice.",
        "Payment reminder sent; customer promised to pay this week.",
        "Changed the payment method to direct debit.",
        "Disputed an out-of-bundle charge; credit note issued.",
        "Requested a copy of the last three invoices.",
    ),
    Interaction.Kind.SUPPORT: (
        "Line test run; fault found at the cabinet and repair booked.",
        "Helped set up voicemail and call forwarding.",
        "Reset the router and updated the firmware.",
        "SIM swapped after the old one stopped working.",
        "TV box rebooted; channels restored.",
    ),
    Interaction.Kind.SALES: (
        "Offered the fibre upgrade; customer will think about it.",
        "Presented the family bundle.",
        "Called back about the business fibre quote.",
        "Sent a quote for five business lines.",
    ),
    Interaction.Kind.RETENTION: (
        "Customer wants to cancel; offered a 20% loyalty discount.",
        "Competitor offer mentioned; retention offer declined.",
        "Retention call: customer moving to another provider.",
        "Discussed a cheaper plan to keep the customer.",
    ),
    Interaction.Kind.SURVEY: (
        "Satisfaction survey after the support call.",
        "Answered the yearly satisfaction survey.",
        "Net promoter survey by SMS.",
    ),
}
_KINDS = tuple(_SUMMARIES)
_CHANNELS = tuple(Interaction.Channel.values)
# Channel weights per interaction kind, in the order of _CHANNELS:
# phone, email, web, store, chat, social, sms, field
_CHANNEL_MIX = {
    Interaction.Kind.INQUIRY: (35, 15, 15, 12, 18, 3, 2, 0),
    Interaction.Kind.COMPLAINT: (45, 20, 5, 8, 12, 10, 0, 0),
    Interaction.Kind.ORDER: (25, 5, 40, 20, 8, 0, 2, 0),
    Interaction.Kind.BILLING: (40, 25, 15, 5, 10, 0, 5, 0),
    Interaction.Kind.SUPPORT: (45, 10, 10, 8, 17, 2, 0, 8),
    Interaction.Kind.SALES: (55, 25, 0, 10, 0, 0, 10, 0),
    Interaction.Kind.RETENTION: (80, 10, 0, 5, 5, 0, 0, 0),
    Interaction.Kind.SURVEY: (15, 35, 10, 0, 0, 0, 40, 0),
}
_OUTBOUND_SHARE = {
    Interaction.Kind.SALES: 0.8,
    Interaction.Kind.SURVEY: 1.0,
    Interaction.Kind.RETENTION: 0.5,
    Interaction.Kind.BILLING: 0.25,
}
# Kinds of everyday contact while a customer holds products (complaints and billing are
# driven separately by the customer's latent propensities).
_EVERYDAY_KINDS = (
    Interaction.Kind.INQUIRY,
    Interaction.Kind.SUPPORT,
    Interaction.Kind.ORDER,
    Interaction.Kind.SALES,
    Interaction.Kind.SURVEY,
)
_EVERYDAY_WEIGHTS = (0.34, 0.36, 0.12, 0.08, 0.10)


# --- Small vectorised helpers ---------------------------------------------------------------


def _pick(rng: np.random.Generator, options, n: int, weights=None) -> np.ndarray:
    """Indexes into ``options`` drawn with the given weights."""
    if weights is None:
        return rng.integers(0, len(options), n)
    p = np.asarray(weights, dtype=float)
    return rng.choice(len(options), size=n, p=p / p.sum())


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _objects(values) -> np.ndarray:
    """A 1-d object array; numpy would otherwise turn a list of strings into a fixed-width one."""
    values = list(values)
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _uniform_between(rng, low, high):
    """One draw per element between two arrays of timestamps."""
    return low + (rng.random(len(low)) * np.maximum(high - low, 0)).astype(np.int64)


class _Text:
    """Fast text forms of dates, timestamps and amounts, shared by all blocks of a run."""

    def __init__(self, first_day: int, last_day: int):
        self.first_day = first_day
        days = np.arange(first_day, last_day + 1).astype("datetime64[D]")
        self._dates = _objects(days.astype("U10").tolist())
        self._clock = _objects([f" {h:02d}:{m:02d}:" for h in range(24) for m in range(60)])
        self._seconds = _objects([f"{s:02d}" for s in range(60)])
        self._euros = _objects([str(e) for e in range(100_000)])
        self._cents = _objects([f".{c:02d}" for c in range(100)])

    def dates(self, days: np.ndarray) -> np.ndarray:
        return self._dates[days - self.first_day]

    def stamps(self, seconds: np.ndarray) -> np.ndarray:
        days, rest = np.divmod(seconds, DAY)
        return (
            self._dates[days - self.first_day] + self._clock[rest // 60] + self._seconds[rest % 60]
        )

    def money(self, cents: np.ndarray) -> np.ndarray:
        euros, rest = np.divmod(cents, 100)
        if euros.size and euros.max() >= len(self._euros):
            cents = self._cents[rest]
            return _objects([f"{e}{c}" for e, c in zip(euros.tolist(), cents, strict=True)])
        return self._euros[euros] + self._cents[rest]


def _ints(values: np.ndarray) -> np.ndarray:
    return _objects(map(str, values.tolist()))


def _bools(values: np.ndarray) -> np.ndarray:
    return np.where(values, "1", "0").astype(object)


def _nullable(texts: np.ndarray, present: np.ndarray) -> np.ndarray:
    out = texts.astype(object, copy=True)
    out[~present] = None
    return out


def _nulls(n: int) -> np.ndarray:
    return np.full(n, None, dtype=object)


def _blank(n: int) -> np.ndarray:
    return np.full(n, "", dtype=object)


def _constant(value: str, n: int) -> np.ndarray:
    return np.full(n, value, dtype=object)


def _fill_template(rng, template: str, n: int) -> list[str]:
    parts = []
    for char in template:
        alphabet = _TAIL_ALPHABETS.get(char)
        if alphabet is None:
            parts.append([char] * n)
        else:
            letters = np.array(list(alphabet), dtype=object)
            parts.append(letters[rng.integers(0, len(alphabet), n)].tolist())
    return ["".join(chars) for chars in zip(*parts, strict=True)] if parts else [""] * n


# --- Identity numbers -----------------------------------------------------------------------


def _mod11_check(body: str) -> int:
    """Portuguese NIF/NIPC check digit."""
    total = sum(int(d) * w for d, w in zip(body, range(len(body) + 1, 1, -1), strict=True))
    check = 11 - total % 11
    return 0 if check >= 10 else check


def _national_ids(country: str, unique: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Plausible personal id numbers; ``unique`` keeps them distinct within a country."""
    values = unique.tolist()
    k = len(values)
    if country == "GB":  # National Insurance number
        prefixes = ("AB", "CE", "JG", "JK", "NH", "NR", "PX", "SC", "TL", "WK")
        suffix = rng.integers(0, 4, k).tolist()
        return [
            f"{prefixes[u // 10**6]}{u % 10**6:06d}{'ABCD'[s]}"
            for u, s in zip(values, suffix, strict=True)
        ]
    if country == "IE":  # PPS number with its check letter
        ids = []
        for u in values:
            digits = f"{u:07d}"
            total = sum(int(d) * w for d, w in zip(digits, range(8, 1, -1), strict=True))
            ids.append(digits + "WABCDEFGHIJKLMNOPQRSTUV"[total % 23])
        return ids
    if country == "ES":  # DNI with its check letter
        return [f"{u:08d}{'TRWAGMYFPDXBNJZSQVHLCKE'[u % 23]}" for u in values]
    if country == "FR":  # social security number (NIR) with its key
        sex = rng.integers(1, 3, k).tolist()
        year = rng.integers(40, 100, k).tolist()
        month = rng.integers(1, 13, k).tolist()
        ids = []
        for u, s, y, m in zip(values, sex, year, month, strict=True):
            body = f"{s}{y:02d}{m:02d}{10 + u // 10**6:02d}{u % 10**6:06d}"
            ids.append(f"{body}{97 - int(body) % 97:02d}")
        return ids
    if country == "DE":  # tax identification number
        head = rng.integers(1000, 10000, k).tolist()
        return [f"{h}{u:07d}" for h, u in zip(head, values, strict=True)]
    if country == "NL":  # BSN, which passes the eleven test
        ids = []
        for u in values:
            body = f"1{u:07d}"
            total = sum(int(d) * w for d, w in zip(body, range(9, 1, -1), strict=True))
            if total % 11 == 10:
                body, total = "2" + body[1:], total + 9
            ids.append(f"{body}{total % 11}")
        return ids
    if country == "PT":  # NIF
        return [f"2{u:07d}{_mod11_check(f'2{u:07d}')}" for u in values]
    if country == "PL":  # identity card number
        letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
        series = rng.integers(0, len(letters), (k, 2)).tolist()
        return [
            f"{letters[u // 10**6]}{letters[a]}{letters[b]}{u % 10**6:06d}"
            for u, (a, b) in zip(values, series, strict=True)
        ]
    if country == "IT":  # passport number
        return [
            f"Y{'ABCDEFGHJK'[u // 10**6]}{u % 10**6:06d}{d}"
            for u, d in zip(values, rng.integers(0, 10, k).tolist(), strict=True)
        ]
    return [f"{u:08d}" for u in values]  # passport number


def _registration_numbers(country: str, unique: np.ndarray) -> list[str]:
    """Company register numbers in each country's usual form."""
    values = unique.tolist()
    if country == "GB":
        return [f"{u:08d}" for u in values]
    if country == "IE":
        return [f"{u:07d}" for u in values]
    if country == "DE":
        return [f"HRB {u}" for u in values]
    if country == "FR":  # SIREN with its Luhn digit
        return [f"8{u:07d}{luhn_check_digit(8 * 10**7 + u)}" for u in values]
    if country == "ES":
        return [f"B{u:07d}{luhn_check_digit(u)}" for u in values]
    if country == "IT":
        return [f"{u:07d}001{luhn_check_digit(u * 1000 + 1)}" for u in values]
    if country == "NL":
        return [f"6{u:07d}" for u in values]
    if country == "PT":
        return [f"5{u:07d}{_mod11_check(f'5{u:07d}')}" for u in values]
    if country == "PL":
        return [f"{u:010d}" for u in values]
    return [f"556{u // 10**4:03d}-{u % 10**4:04d}" for u in values]


# --- Run context ----------------------------------------------------------------------------

TRANSITION_REASONS = {
    action: tuple(code for code, _ in transition.reasons)
    for action, transition in TRANSITIONS.items()
}
# Every reason the generator writes, per lifecycle action.
REASONS_USED = {
    "qualify": {"need_confirmed", "referral"},
    "establish": {"first_order", "contract_signed", "migration"},
    "disqualify": {"no_need", "no_budget", "unreachable", "not_serviceable", "chose_competitor",
                   "failed_verification"},
    "suspend": {"non_payment", "customer_request", "fraud_suspected", "legal_hold"},
    "resume": {"balance_settled", "customer_request"},
    "terminate": {"voluntary_churn", "competitor", "moved_away", "non_payment", "fraud",
                  "deceased", "business_closed"},
}  # fmt: skip


@dataclass
class _Context:
    seed: int
    first_index: int  # how many customers the database held before this run
    total: int  # customers in this run
    now: int  # the reference instant (midnight UTC of the reference day), epoch seconds
    history_start: int
    month_starts: np.ndarray  # first day of each billing month, epoch days, oldest first
    month_ends: np.ndarray  # last day of each billing month
    text: "_Text"
    product_ids: dict[str, int]
    product_cents: dict[str, int]
    product_family: dict[str, str]
    partner_ids: np.ndarray
    manager_ids: np.ndarray
    agent_ids: np.ndarray
    stale_lead_days: int


@dataclass
class _Ids:
    """Primary keys and customer serials reserved for one block."""

    party: np.ndarray
    customer: np.ndarray
    serial: np.ndarray

    def __getitem__(self, part: slice) -> "_Ids":
        return _Ids(self.party[part], self.customer[part], self.serial[part])


Tables = dict[type[models.Model], dict[str, np.ndarray]]


def _month_start(day: date, months_later: int = 0) -> date:
    total = day.year * 12 + day.month - 1 + months_later
    return date(total // 12, total % 12 + 1, 1)


def _epoch_day(day: date) -> int:
    return (day - date(1970, 1, 1)).days


# --- Generation of one block ----------------------------------------------------------------


def _generate_block(ctx: _Context, start: int, ids: _Ids) -> Tables:
    """Rows of every table for the customers of one block, starting at run index ``start``."""
    rng = np.random.default_rng([ctx.seed, ctx.first_index + start])
    return _Block(ctx, rng, start, ids).tables()


class _Block:
    """One block of customers: latent drivers first, then histories, then table rows."""

    def __init__(self, ctx: _Context, rng: np.random.Generator, start: int, ids: _Ids):
        self.ctx, self.rng, self.ids = ctx, rng, ids
        self.n = n = len(ids.customer)
        self.index = ctx.first_index + start + np.arange(n)
        self.unique = (self.index * _UNIQUE_STRIDE + ctx.seed * 7919) % _UNIQUE_SPACE
        self.customer_text = _ints(ids.customer)
        self.numbers = _objects(format_customer_number(s) for s in ids.serial.tolist())
        self.out: Tables = {}
        self._people()
        self._addresses()
        self._lifecycle()
        self._products()
        self._churn()
        self._interactions()
        self._consents()
        self._status()

    def tables(self) -> Tables:
        self._party_rows()
        self._customer_rows()
        self._contact_rows()
        self._preference_rows()
        self._subscription_rows()
        self._invoice_rows()
        self._interaction_rows()
        self._relationship_rows()
        self._lifecycle_rows()
        return self.out

    # Who they are ------------------------------------------------------------------------

    def _people(self):
        rng, n = self.rng, self.n
        self.is_org = rng.random(n) < 0.10
        individual = ~self.is_org
        org_segment = np.array([Segment.SMALL_BUSINESS, Segment.ENTERPRISE, Segment.WHOLESALE])
        self.segment = np.where(
            self.is_org,
            org_segment[_pick(rng, org_segment, n, (0.70, 0.25, 0.05))],
            np.where(rng.random(n) < 0.04, Segment.SMALL_BUSINESS, Segment.RESIDENTIAL),
        ).astype(object)
        self.business = self.segment != Segment.RESIDENTIAL
        self.large = (self.segment == Segment.ENTERPRISE) | (self.segment == Segment.WHOLESALE)
        self.country = _pick(rng, COUNTRIES, n, [c.weight for c in COUNTRIES])
        self.female = rng.random(n) < 0.51

        # Some people share a household with an earlier person of the block: the same family
        # name and address, and a relationship row between them.
        follower = individual & (rng.random(n) < 0.07)
        heads = np.flatnonzero(individual & ~follower)
        heads_before = np.searchsorted(heads, np.arange(n))
        follower &= heads_before > 0
        self.household_head = np.full(n, -1)
        followers = np.flatnonzero(follower)
        if followers.size:
            chosen = (rng.random(followers.size) * heads_before[followers]).astype(np.int64)
            self.household_head[followers] = heads[chosen]
            self.country[followers] = self.country[heads[chosen]]

        self.given, self.family, self.title = _blank(n), _blank(n), _blank(n)
        self.legal, self.trading = _blank(n), _blank(n)
        for c, country in enumerate(COUNTRIES):
            mine = self.country == c
            people = np.flatnonzero(mine & individual)
            women = people[self.female[people]]
            men = people[~self.female[people]]
            self.given[women] = _draw(rng, country.given_female, women.size)
            self.given[men] = _draw(rng, country.given_male, men.size)
            self.family[people] = _draw(rng, country.family, people.size)
            if country.language == "en":
                self.title[women] = _objects(_TITLES_FEMALE)[
                    _pick(rng, _TITLES_FEMALE, women.size, _TITLES_FEMALE_P)
                ]
                self.title[men] = _objects(_TITLES_MALE)[
                    _pick(rng, _TITLES_MALE, men.size, _TITLES_MALE_P)
                ]
            self._name_organisations(np.flatnonzero(mine & self.is_org), country)
        self.family[followers] = self.family[self.household_head[followers]]

    def _name_organisations(self, rows: np.ndarray, country: _Country):
        rng, k = self.rng, rows.size
        if not k:
            return
        words = _draw(rng, _COMPANY_WORDS, k)
        trades = _draw(rng, _INDUSTRIES, k)
        founders = _draw(rng, country.family, k)
        partners = _draw(rng, country.family, k)
        cities = _draw(rng, [city for city, _ in country.cities], k)
        suffixes = _draw(rng, country.company_suffixes, k)
        pattern = _pick(rng, range(4), k, (0.5, 0.2, 0.12, 0.18)).tolist()
        brand = rng.random(k).tolist()
        legal, trading = [], []
        for i in range(k):
            core = (
                f"{words[i]} {trades[i]}",
                f"{founders[i]} {trades[i]}",
                f"{founders[i]} & {partners[i]}",
                f"{cities[i]} {trades[i]}",
            )[pattern[i]]
            legal.append(f"{core} {suffixes[i]}")
            if brand[i] < 0.35:
                trading.append(core)
            elif brand[i] < 0.45:
                trading.append(f"{words[i]}{trades[i].split()[0].lower()}")
            else:
                trading.append("")
        self.legal[rows] = legal
        self.trading[rows] = trading

    def _addresses(self):
        rng, n = self.rng, self.n
        self.street, self.city, self.postcode = _blank(n), _blank(n), _blank(n)
        for c, country in enumerate(COUNTRIES):
            rows = np.flatnonzero(self.country == c)
            if not rows.size:
                continue
            streets = _draw(rng, country.streets, rows.size)
            numbers = rng.integers(1, 180, rows.size).tolist()
            if country.house_number_first:
                self.street[rows] = [f"{h} {s}" for h, s in zip(numbers, streets, strict=True)]
            else:
                self.street[rows] = [f"{s} {h}" for h, s in zip(numbers, streets, strict=True)]
            city = rng.integers(0, len(country.cities), rows.size)
            self.city[rows] = _objects([name for name, _ in country.cities])[city]
            choice = rng.random(rows.size).tolist()
            prefixes = [
                country.cities[ci][1][int(u * len(country.cities[ci][1]))]
                for ci, u in zip(city.tolist(), choice, strict=True)
            ]
            tails = _fill_template(rng, country.postcode_tail, rows.size)
            self.postcode[rows] = [p + t for p, t in zip(prefixes, tails, strict=True)]
        followers = np.flatnonzero(self.household_head >= 0)
        heads = self.household_head[followers]
        for column in (self.street, self.city, self.postcode):
            column[followers] = column[heads]

    # When things happened ----------------------------------------------------------------

    def _lifecycle(self):
        ctx, rng, n, now = self.ctx, self.rng, self.n, self.ctx.now
        # Creation times follow the index, so a higher customer number is a newer customer.
        position = (self.index - ctx.first_index + rng.random(n)) / ctx.total
        self.created = ctx.history_start + (position * (now - ctx.history_start - 3600)).astype(
            np.int64
        )
        age_days = (now - self.created) / DAY

        # Fresh records are mostly still leads; a few old ones never moved on.
        still_open = rng.random(n) < 0.85 * np.exp(-age_days / 40) + 0.012
        self.disqualified = ~still_open & (rng.random(n) < 0.04) & (age_days > 2)
        self.established = ~still_open & ~self.disqualified
        self.prospect = still_open & (rng.random(n) < 0.35)
        self.lead = still_open & ~self.prospect

        walk_in = rng.random(n) < 0.4
        delay = np.where(walk_in, 0, rng.exponential(7 * DAY, n)).astype(np.int64)
        self.established_at = np.minimum(self.created + delay + 600, now - 3600)
        self.disqualified_at = np.minimum(self.created + rng.integers(DAY, 60 * DAY, n), now - 60)
        self.qualified = self.prospect | (
            (self.established | self.disqualified) & (rng.random(n) < 0.4)
        )
        qualified_by = np.select(
            [self.established, self.disqualified],
            [self.established_at, self.disqualified_at],
            now - 60,
        )
        self.qualified_at = _uniform_between(rng, self.created + 30, qualified_by - 30)

        self.age = 18 + (now - self.created) / (365.25 * DAY) + 70 * rng.beta(2.0, 3.5, n)
        self.birth_day = now // DAY - (self.age * 365.25).astype(np.int64)

        partner_customer = ~self.large & (rng.random(n) < 0.05) & (ctx.partner_ids.size > 0)
        partner = _draw(rng, ctx.partner_ids.tolist() or [0], n).astype(np.int64)
        self.partner = np.where(partner_customer, partner, 0)
        manager_share = np.select(
            [self.segment == Segment.ENTERPRISE, self.segment == Segment.WHOLESALE,
             self.segment == Segment.SMALL_BUSINESS],
            [0.9, 0.95, 0.35],
            0.02,
        )  # fmt: skip
        managers = _draw(rng, ctx.manager_ids.tolist(), n).astype(np.int64)
        agents = _draw(rng, ctx.agent_ids.tolist(), n).astype(np.int64)
        managed = rng.random(n) < manager_share
        self.account_manager = np.where(managed, np.where(self.business, managers, agents), 0)

        referred = rng.random(n) < 0.06
        referred[0] = False
        self.referrer = np.where(referred, (rng.random(n) * np.arange(n)).astype(np.int64), -1)
        # Lead sources are free text typed by agents: the demo writes them as people do.
        sources = ("Web", "Store", "Call centre", "Campaign", "Comparison site", "Door to door")
        self.lead_source = _objects(sources)[_pick(rng, sources, n, (30, 25, 18, 12, 10, 5))]
        self.lead_source[self.partner > 0] = "Partner"
        self.lead_source[referred] = "Referral"
        migrated = (age_days > 4 * 365) & (rng.random(n) < 0.5) & ~referred
        self.lead_source[migrated] = "Migration"

        methods = _objects(Customer.PaymentMethod.values)  # direct debit, card, transfer, cash
        method = _pick(rng, methods, n, (55, 25, 15, 5))
        self.payment_method_index = np.where(self.business & (rng.random(n) < 0.4), 2, method)
        knows_method = self.established | (self.prospect & (rng.random(n) < 0.3))
        self.payment_method = np.where(knows_method, methods[self.payment_method_index], "")

        establish = ("first_order", "contract_signed", "migration")
        self.establish_reason = _objects(establish)[_pick(rng, establish, n, (60, 40, 0))]
        self.establish_reason[migrated] = "migration"
        self.qualify_reason = np.where(referred, "referral", "need_confirmed").astype(object)
        disqualify = ("no_need", "no_budget", "unreachable", "not_serviceable",
                      "chose_competitor", "failed_verification")  # fmt: skip
        self.disqualify_reason = _objects(disqualify)[
            _pick(rng, disqualify, n, (25, 20, 20, 10, 20, 5))
        ]

    def _products(self):
        """Up to three subscriptions per established customer, drawn before the churn."""
        ctx, rng, n = self.ctx, self.rng, self.n
        slots = 3
        count = _pick(rng, (1, 2, 3), n, (0.5, 0.32, 0.18)) + 1
        self.sub_exists = (np.arange(slots)[None, :] < count[:, None]) & self.established[:, None]
        self.sub_product = np.full((n, slots), "", dtype=object)
        self.sub_cents = np.zeros((n, slots), dtype=np.int64)
        for segment, (first, further) in _PRODUCT_MIX.items():
            rows = np.flatnonzero(self.segment == segment)
            if not rows.size:
                continue
            low, high = _QUANTITY[segment]
            for slot, mix in ((0, first), (1, further), (2, further)):
                codes = _objects(mix)
                chosen = codes[_pick(rng, codes, rows.size, list(mix.values()))]
                price = np.array([ctx.product_cents[c] for c in chosen], dtype=np.int64)
                self.sub_product[rows, slot] = chosen
                self.sub_cents[rows, slot] = price * rng.integers(low, high + 1, rows.size)
        # Promotions and negotiated prices: most pay the list price, some less.
        discount = np.where(rng.random((n, slots)) < 0.3, rng.uniform(0.7, 0.95, (n, slots)), 1)
        self.sub_cents = np.maximum((self.sub_cents * discount).round().astype(np.int64), 100)
        families = np.array([[ctx.product_family[c] for c in row] for row in self.sub_product])
        self.sub_family = families.astype(object)

        term = np.array([0, 12, 24])[_pick(rng, (0, 12, 24), n * slots, (0.32, 0.2, 0.48))]
        term = term.reshape(n, slots)
        term = np.where(families == Product.Family.DEVICE, 24, term)
        self.sub_term = np.where(families == Product.Family.ADD_ON, 0, term)

        start = self.established_at
        self.sub_start_day = np.empty((n, slots), dtype=np.int64)
        self.sub_start_day[:, 0] = start // DAY
        for slot in (1, 2):
            later = _uniform_between(rng, start, np.full(n, ctx.now - DAY))
            self.sub_start_day[:, slot] = np.where(rng.random(n) < 0.5, start, later) // DAY
        self.monthly_charge = (self.sub_cents * self.sub_exists).sum(axis=1)

    def _churn(self):
        """Termination and suspension from a logistic function of the latent drivers."""
        ctx, rng, n, now = self.ctx, self.rng, self.n, self.ctx.now
        self.late_logit = rng.normal(-2.6, 1.0, n)
        self.late_z = self.late_logit + 2.6
        self.late_p = _sigmoid(self.late_logit)
        self.complaint_rate = np.exp(rng.normal(np.log(0.025), 0.9, n))  # per month
        complaint_z = np.log(self.complaint_rate / 0.025) / 0.9
        tenure_years = (now - self.established_at) / (365.25 * DAY)
        charge_z = np.log(np.maximum(self.monthly_charge, 100) / 3500) / 0.7
        first_term = self.sub_term[:, 0]
        z = (
            CHURN_INTERCEPT
            + 1.1 * (first_term == 0)
            + 0.35 * (first_term == 12)
            + 0.45 * np.clip(charge_z, -2.5, 3)
            + 0.65 * complaint_z
            + 0.55 * self.late_z
            + 1.0 * np.exp(-tenure_years / 1.5)
            + 0.3 * (self.partner > 0)
            - 0.35 * self.business
            - 0.6 * self.large
        )
        self.churn_p = _sigmoid(z)
        earliest = np.maximum(self.established_at + 31 * DAY, ctx.month_starts[0] * DAY)
        latest = now - DAY
        self.terminated = self.established & (earliest < latest) & (rng.random(n) < self.churn_p)
        self.terminated_at = _uniform_between(rng, earliest, np.full(n, latest))

        r = rng.random(n)
        self.termination_reason = np.select(
            [
                self.is_org & (r < 0.12),
                ~self.is_org & (self.age > 78) & (r < 0.15),
                (self.late_z > 1.2) & (r < 0.55),
                r < 0.015,
                r < 0.11,
                r < 0.11 + 0.89 * 0.55,
            ],
            [
                "business_closed",
                "deceased",
                "non_payment",
                "fraud",
                "moved_away",
                "voluntary_churn",
            ],
            "competitor",
        ).astype(object)

        # Non-payment ends with a dunning suspension first, when there was time for one.
        self.dunning_suspended_at = self.terminated_at - rng.integers(20, 60, n) * DAY
        self.dunning_suspended = (
            self.terminated
            & (self.termination_reason == "non_payment")
            & (self.dunning_suspended_at > self.established_at + 14 * DAY)
        )

        still = self.established & ~self.terminated
        self.suspended_at = _uniform_between(
            rng, np.maximum(self.established_at + 14 * DAY, now - 120 * DAY), np.full(n, now - 3600)
        )
        self.suspended = (
            still
            & (rng.random(n) < _sigmoid(-3.6 + 1.1 * self.late_z))
            & (self.suspended_at > self.established_at)
        )
        r = rng.random(n)
        self.suspension_reason = np.where(
            self.late_z > 0.8,
            np.where(r < 0.85, "non_payment", "customer_request"),
            np.select(
                [r < 0.1, r < 0.7, r < 0.95],
                ["non_payment", "customer_request", "fraud_suspected"],
                "legal_hold",
            ),
        ).astype(object)

        # Some active customers were suspended once and came back.
        self.past_suspended_at = _uniform_between(
            rng, self.established_at + 30 * DAY, np.full(n, now - 30 * DAY)
        )
        self.past_resumed_at = self.past_suspended_at + rng.integers(3, 30, n) * DAY
        self.past_suspension = (
            still
            & ~self.suspended
            & (rng.random(n) < 0.02 + 0.08 * _sigmoid(self.late_z - 1))
            & (self.past_suspended_at > self.established_at + 30 * DAY)
        )
        self.past_for_debt = self.late_z > 0.5

        # Products end with the relationship; a few further ones were dropped earlier. One that
        # would have started after the end never existed.
        today = now // DAY
        term_day = (self.terminated_at // DAY)[:, None]
        self.sub_exists &= ~(self.terminated[:, None] & (self.sub_start_day > term_day))
        replaced_end = self.sub_start_day + rng.integers(60, 900, (n, 3))
        replaced = (
            (np.arange(3)[None, :] > 0) & (rng.random((n, 3)) < 0.12) & (replaced_end < today)
        )
        end_day = np.where(replaced, replaced_end, np.iinfo(np.int32).max)
        self.sub_end_day = np.where(
            self.terminated[:, None], np.minimum(end_day, term_day), end_day
        )
        self.sub_ended = self.sub_exists & (replaced | self.terminated[:, None])

    # Interactions and consents -------------------------------------------------------------

    def _interactions(self):
        ctx, rng, n, now = self.ctx, self.rng, self.n, self.ctx.now
        window_start = ctx.month_starts[0] * DAY
        end = np.select(
            [self.terminated, self.disqualified],
            [self.terminated_at, self.disqualified_at],
            now - 60,
        )
        begin = np.maximum(
            np.where(self.established, self.established_at, self.created), window_start
        )
        months = np.maximum(end - begin, 0) / (30.4 * DAY)
        base_rate = np.select(
            [self.segment == Segment.ENTERPRISE, self.segment == Segment.WHOLESALE,
             self.segment == Segment.SMALL_BUSINESS],
            [0.6, 0.4, 0.25],
            0.13,
        ) * rng.lognormal(0, 0.5, n)  # fmt: skip
        holding = self.established
        everyday = np.where(holding, rng.poisson(base_rate * months), 0)
        complaints = np.where(holding, rng.poisson(self.complaint_rate * months), 0)
        billing = np.where(holding, rng.poisson((0.02 + 0.25 * self.late_p) * months), 0)
        prospecting = np.where(holding, 0, rng.integers(1, 4, n))
        retention = (self.terminated & (rng.random(n) < 0.4)).astype(np.int64)
        # Dissatisfaction builds up before a customer leaves of their own accord.
        unhappy_since = np.maximum(self.terminated_at - PRE_CHURN_DAYS * DAY, begin)
        unhappy_months = np.maximum(self.terminated_at - unhappy_since, 0) / (30.4 * DAY)
        leaving = self.terminated & np.isin(
            self.termination_reason, ("voluntary_churn", "competitor")
        )
        unhappy = np.where(leaving, rng.poisson(2 * self.complaint_rate * unhappy_months), 0)

        kind_of = {kind: i for i, kind in enumerate(_KINDS)}
        everyday_kinds = np.array([kind_of[k] for k in _EVERYDAY_KINDS])
        prospect_kinds = np.array(
            [kind_of[Interaction.Kind.SALES], kind_of[Interaction.Kind.INQUIRY]]
        )
        groups = (
            (everyday, lambda k: everyday_kinds[_pick(rng, everyday_kinds, k, _EVERYDAY_WEIGHTS)],
             begin, end),
            (complaints, lambda k: np.full(k, kind_of[Interaction.Kind.COMPLAINT]), begin, end),
            (billing, lambda k: np.full(k, kind_of[Interaction.Kind.BILLING]), begin, end),
            (prospecting, lambda k: prospect_kinds[rng.integers(0, 2, k)], self.created,
             np.maximum(end, self.created + 60)),
            (retention, lambda k: np.full(k, kind_of[Interaction.Kind.RETENTION]),
             np.maximum(self.terminated_at - 30 * DAY, begin), self.terminated_at),
            (unhappy, lambda k: np.full(k, kind_of[Interaction.Kind.COMPLAINT]), unhappy_since,
             self.terminated_at),
        )  # fmt: skip
        owners, kinds, times = [], [], []
        for counts, kinds_for, start, stop in groups:
            rows = np.repeat(np.arange(n), counts)
            owners.append(rows)
            kinds.append(kinds_for(rows.size))
            times.append(_uniform_between(rng, start[rows], stop[rows]))
        self.ix_owner = np.concatenate(owners)
        self.ix_kind = np.concatenate(kinds).astype(np.int64)
        at = np.concatenate(times)
        # People call in the daytime.
        daytime = (7.5 * 3600 + rng.beta(2.2, 2.4, at.size) * 13.5 * 3600).astype(np.int64)
        self.ix_at = np.minimum((at // DAY) * DAY + daytime, now - 60)

    def _consents(self):
        rng, n, text, now = self.rng, self.n, self.ctx.text, self.ctx.now
        C, P = Consent.Channel, Consent.Purpose
        # (channel, purpose, share of customers who answered, share of answers that grant)
        grid = (
            (C.EMAIL, P.SERVICE, 1.0, 0.98),
            (C.EMAIL, P.MARKETING, 0.75, 0.5),
            (C.SMS, P.MARKETING, 0.45, 0.35),
            (C.PHONE, P.MARKETING, 0.15, 0.2),
            (C.EMAIL, P.SURVEYS, 0.35, 0.6),
            (C.POST, P.MARKETING, 0.05, 0.3),
            (C.EMAIL, P.PROFILING, 0.2, 0.45),
            (C.EMAIL, P.THIRD_PARTY, 0.1, 0.15),
            (C.PUSH, P.SERVICE, 0.1, 0.9),
        )
        answered = np.stack([rng.random(n) < share for _, _, share, _ in grid], axis=1)
        granted = np.stack([rng.random(n) < p for _, _, _, p in grid], axis=1)
        owner, which = np.nonzero(answered)
        sources = _objects(Consent.Source.values)  # web, store, call centre, paper, api, import
        source = sources[_pick(rng, sources, owner.size, (35, 20, 25, 5, 3, 12))]
        source[self.partner[owner] > 0] = Consent.Source.API
        changed_later = rng.random(owner.size) < 0.2
        recorded = np.where(
            changed_later,
            _uniform_between(rng, self.created[owner], np.full(owner.size, now - 60)),
            self.created[owner] + rng.integers(0, 600, owner.size),
        )
        recorded = np.minimum(recorded, now - 60)
        self.consent_last = self.created.copy()
        np.maximum.at(self.consent_last, owner, recorded)
        self.out[Consent] = {
            "customer_id": self.customer_text[owner],
            "channel": _objects([g[0] for g in grid])[which],
            "purpose": _objects([g[1] for g in grid])[which],
            "granted": _bools(granted[owner, which]),
            "source": source,
            "recorded_at": text.stamps(recorded),
            "recorded_by_id": _nulls(owner.size),
        }

    def _status(self):
        """The status, when it last changed and why, and the last activity the list shows."""
        now = self.ctx.now
        self.status = np.select(
            [self.terminated, self.suspended, self.disqualified, self.prospect, self.lead],
            [
                Status.TERMINATED,
                Status.SUSPENDED,
                Status.DISQUALIFIED,
                Status.PROSPECT,
                Status.LEAD,
            ],
            Status.ACTIVE,
        ).astype(object)
        self.status_changed_at = np.select(
            [self.terminated, self.suspended, self.past_suspension, self.established,
             self.disqualified, self.prospect],
            [self.terminated_at, self.suspended_at, self.past_resumed_at, self.established_at,
             self.disqualified_at, self.qualified_at],
            self.created,
        )  # fmt: skip
        resumed = np.where(self.past_for_debt, "balance_settled", "customer_request")
        self.status_reason = np.select(
            [self.terminated, self.suspended, self.past_suspension, self.established,
             self.disqualified, self.prospect],
            [self.termination_reason, self.suspension_reason, resumed, self.establish_reason,
             self.disqualify_reason, self.qualify_reason],
            "",
        ).astype(object)  # fmt: skip
        last = np.maximum(self.status_changed_at, self.consent_last)
        np.maximum.at(last, self.ix_owner, self.ix_at)
        self.last_activity = np.minimum(last, now - 60)
        # A lead idle for the threshold has been flagged by the nightly job since.
        self.stale_since = self.last_activity + self.ctx.stale_lead_days * DAY + 2 * 3600
        self.stale = self.lead & (self.stale_since < now)

    # Rows ------------------------------------------------------------------------------

    def _party_rows(self):
        rng, n, text = self.rng, self.n, self.ctx.text
        individual = ~self.is_org
        national, registration = _blank(n), _blank(n)
        has_id = individual & (rng.random(n) < 0.75)
        for c, country in enumerate(COUNTRIES):
            people = np.flatnonzero((self.country == c) & has_id)
            national[people] = _national_ids(country.code, self.unique[people], rng)
            orgs = np.flatnonzero((self.country == c) & self.is_org)
            registration[orgs] = _registration_numbers(country.code, self.unique[orgs])
        kinds = np.where(self.is_org, Party.Kind.ORGANIZATION, Party.Kind.INDIVIDUAL).astype(object)
        columns = {
            "id": _ints(self.ids.party),
            "kind": kinds,
            "title": self.title,
            "given_name": self.given,
            "family_name": self.family,
            "birth_date": _nullable(text.dates(self.birth_day), individual),
            "national_id": national,
            "legal_name": self.legal,
            "trading_name": self.trading,
            "registration_number": registration,
        }
        # The display name and search keys come from the same function the services use.
        derived: dict[str, list] = {}
        names = zip(kinds, self.given, self.family, self.legal, self.trading, strict=True)
        for name in names:
            for field, value in _derived_names(*name):
                derived.setdefault(field, []).append(value)
        for field, values in derived.items():
            columns[field] = _objects(values)
        self.display_name = columns["display_name"]
        stamps = text.stamps(self.created)
        columns["created_at"] = stamps
        columns["updated_at"] = stamps
        self.out[Party] = columns

    def _customer_rows(self):
        text = self.ctx.text
        valid_from = np.where(self.established, self.established_at, self.created)
        self.out[Customer] = {
            "id": self.customer_text,
            "number": self.numbers,
            "party_id": _ints(self.ids.party),
            "status": self.status,
            "status_reason": self.status_reason,
            "status_changed_at": text.stamps(self.status_changed_at),
            "segment": self.segment,
            "payment_method": self.payment_method.astype(object),
            "account_manager_id": _nullable(_ints(self.account_manager), self.account_manager > 0),
            "partner_id": _nullable(_ints(self.partner), self.partner > 0),
            "lead_source": self.lead_source,
            "currency": _constant(settings.CRM_CURRENCY, self.n),
            "valid_from": text.stamps(valid_from),
            "valid_to": _nullable(text.stamps(self.terminated_at), self.terminated),
            "last_activity_at": text.stamps(self.last_activity),
            "stale_since": _nullable(
                text.stamps(np.minimum(self.stale_since, self.ctx.now)), self.stale
            ),
            "created_at": text.stamps(self.created),
            "updated_at": text.stamps(self.status_changed_at),
        }

    def _contact_rows(self):
        rng, n, text = self.rng, self.n, self.ctx.text
        serials = self.ids.serial.tolist()
        domains = _draw(rng, _EMAIL_DOMAINS, n)
        mailboxes = _draw(rng, _ORG_MAILBOXES, n)
        style = rng.integers(0, 3, n).tolist()
        emails, slugs, work = [], [], []
        for i in range(n):
            if self.is_org[i]:
                words = [_ascii_key(w) for w in (self.trading[i] or self.legal[i]).split()[:2]]
                slug = "-".join(w for w in words if w)[:40] or "company"
                slugs.append(slug)
                emails.append(f"{mailboxes[i]}.{serials[i]}@{slug}.example.com")
                work.append("")
                continue
            given, family = _ascii_key(self.given[i]), _ascii_key(self.family[i])
            local = (
                f"{given}.{family}.{serials[i]}",
                f"{given[:1]}{family}{serials[i]}",
                f"{family}.{given}{serials[i]}",
            )[style[i]]
            emails.append(f"{local}@{domains[i]}")
            slugs.append("")
            work.append(f"{given}.{family}.{serials[i]}@work.example.net")
        self.emails = emails

        mobile = _blank(n)
        for c, country in enumerate(COUNTRIES):
            rows = np.flatnonzero(self.country == c)
            prefix = _draw(rng, country.mobile_prefixes, rows.size)
            width = country.mobile_random_digits
            extra = rng.integers(0, 10**width, rows.size).tolist()
            mobile[rows] = [
                f"{p}{e:0{width}d}{u:07d}" if width else f"{p}{u:07d}"
                for p, e, u in zip(prefix, extra, self.unique[rows].tolist(), strict=True)
            ]
        self.mobile = mobile

        countries = _objects([c.code for c in COUNTRIES])[self.country]
        postal = [
            postal_one_line(street=s, postcode=p, city=c, country=cc)
            for s, p, c, cc in zip(self.street, self.postcode, self.city, countries, strict=True)
        ]
        everyone = np.arange(n)
        work_rows = np.flatnonzero(~self.is_org & (rng.random(n) < 0.15))
        web_rows = np.flatnonzero(self.is_org & (rng.random(n) < 0.5))
        Kind = ContactMedium.Kind
        # (owners, kind, values, labels, preferred, share verified)
        media = (
            (everyone, Kind.EMAIL, _objects(emails),
             np.where(self.is_org, "office", "personal"), True, 0.7),
            (everyone, Kind.MOBILE, mobile, np.where(self.is_org, "main", "personal"), True, 0.6),
            (everyone, Kind.POSTAL, _objects(postal),
             np.where(self.is_org, "registered office", "home"), True, 0.5),
            (work_rows, Kind.EMAIL, _objects(work)[work_rows], _constant("work", n), False, 0.4),
            (web_rows, Kind.WEB, _objects(f"https://www.{slugs[i]}.example.com" for i in web_rows),
             _constant("website", n), False, 0.0),
        )  # fmt: skip
        owner = np.concatenate([m[0] for m in media])
        total = owner.size
        columns = {
            "party_id": _ints(self.ids.party[owner]),
            "kind": np.concatenate([_constant(m[1], m[0].size) for m in media]),
            "value": np.concatenate([m[2] for m in media]),
            "label": np.concatenate([m[3][m[0]].astype(object) if m[0] is not everyone
                                     else m[3].astype(object) for m in media]),
            "street": _blank(total),
            "city": _blank(total),
            "postcode": _blank(total),
            "country": _blank(total),
            "is_preferred": np.concatenate([_constant("1" if m[4] else "0", m[0].size)
                                            for m in media]),
            "is_verified": np.concatenate([_bools(rng.random(m[0].size) < m[5]) for m in media]),
            "valid_from": text.dates(self.created[owner] // DAY),
            "valid_to": _nulls(total),
            "created_at": text.stamps(self.created[owner]),
        }  # fmt: skip
        postal_rows = slice(2 * n, 3 * n)
        columns["street"][postal_rows] = self.street
        columns["city"][postal_rows] = self.city
        columns["postcode"][postal_rows] = _objects(p.strip().upper() for p in self.postcode)
        columns["country"][postal_rows] = countries
        self.out[ContactMedium] = columns

    def _preference_rows(self):
        rng, n, text = self.rng, self.n, self.ctx.text
        C = Consent.Channel
        channels = _objects((C.EMAIL, C.SMS, C.PHONE, C.POST, C.PUSH))
        windows = (("09:00:00", "17:00:00"), ("08:00:00", "12:00:00"),
                   ("17:00:00", "20:00:00"), ("10:00:00", "16:00:00"))  # fmt: skip
        window = rng.integers(0, len(windows), n).tolist()
        has_window = rng.random(n) < 0.3
        Format = CommunicationPreferences.StatementFormat
        formats = _objects(Format.values)  # e-mail, portal, paper
        statement = formats[_pick(rng, formats, n, (60, 30, 10))]
        statement[(self.age > 72) & ~self.is_org & (rng.random(n) < 0.5)] = Format.PAPER
        self.out[CommunicationPreferences] = {
            "customer_id": self.customer_text,
            "language": _objects([c.language for c in COUNTRIES])[self.country],
            "preferred_channel": channels[_pick(rng, channels, n, (55, 20, 15, 5, 5))],
            "contact_time_from": _nullable(_objects(windows[w][0] for w in window), has_window),
            "contact_time_to": _nullable(_objects(windows[w][1] for w in window), has_window),
            "contact_on_weekends": _bools(rng.random(n) < 0.2),
            "statement_format": statement,
            "statement_frequency": np.where(
                ~self.business & (rng.random(n) < 0.1), "quarterly", "monthly"
            ).astype(object),
            "itemised_statement": _bools(rng.random(n) < np.where(self.business, 0.7, 0.15)),
            "updated_at": text.stamps(self.consent_last),
        }

    def _subscription_rows(self):
        ctx, rng, text = self.ctx, self.rng, self.ctx.text
        owner, slot = np.nonzero(self.sub_exists)
        products = self.sub_product[owner, slot]
        ended = self.sub_ended[owner, slot]
        status = np.select(
            [ended, self.suspended[owner]],
            [Subscription.Status.TERMINATED, Subscription.Status.SUSPENDED],
            Subscription.Status.ACTIVE,
        ).astype(object)
        line_prefix = {
            Product.Family.BROADBAND: "FTTH",
            Product.Family.FIXED_VOICE: "LINE",
            Product.Family.TV: "TV",
            Product.Family.BUNDLE: "BND",
        }
        service = []
        serials = self.ids.serial[owner].tolist()
        for i, s, sl, code, family in zip(owner.tolist(), serials, slot.tolist(), products,
                                          self.sub_family[owner, slot], strict=True):  # fmt: skip
            if code.startswith("WS-") or family == Product.Family.ADD_ON:
                service.append("")
            elif family in (Product.Family.MOBILE, Product.Family.DEVICE):
                number = self.mobile[i]
                service.append(number if sl == 0 else f"{number[:-7]}{(s * 3 + sl) % 10**7:07d}")
            else:
                service.append(f"{line_prefix.get(family, 'SVC')}{s:08d}{sl}")
        start_day = self.sub_start_day[owner, slot]
        end_day = np.where(ended, self.sub_end_day[owner, slot], start_day)
        ordered_at = start_day * DAY + rng.integers(8 * 3600, 19 * 3600, owner.size)
        self.out[Subscription] = {
            "customer_id": self.customer_text[owner],
            "product_id": _ints(np.array([ctx.product_ids[c] for c in products], dtype=np.int64)),
            "service_id": _objects(service),
            "monthly_charge": text.money(self.sub_cents[owner, slot]),
            "contract_term_months": _ints(self.sub_term[owner, slot]),
            "start_date": text.dates(start_day),
            "end_date": _nullable(text.dates(end_day), ended),
            "status": status,
            "created_at": text.stamps(np.minimum(ordered_at, ctx.now - 60)),
        }

    def _invoice_rows(self):
        ctx, rng, n, text = self.ctx, self.rng, self.n, self.ctx.text
        today = ctx.now // DAY
        starts, ends = ctx.month_starts, ctx.month_ends
        active = (
            self.sub_exists[:, :, None]
            & (self.sub_start_day[:, :, None] <= ends[None, None, :])
            & (self.sub_end_day[:, :, None] >= starts[None, None, :])
        )
        base = (self.sub_cents[:, :, None] * active).sum(axis=1)  # customer x month
        issued_all = starts[None, :] + rng.integers(0, 5, n)[:, None]
        month, owner = np.nonzero(((base > 0) & (issued_all < today)).T)  # as billing runs write
        k = owner.size
        issued = issued_all[owner, month]
        due = issued + 14
        usage = 1 + np.maximum(rng.normal(0.015, 0.04, k), 0)
        roaming = np.where(rng.random(k) < 0.03, rng.integers(500, 4000, k), 0)
        amount = (base[owner, month] * usage).round().astype(np.int64) + roaming

        method = self.payment_method_index[owner]
        on_time = np.select(
            [method == 0, method == 1, method == 2],
            [due - rng.integers(0, 2, k), issued + rng.integers(0, 8, k),
             issued + rng.integers(3, 14, k)],
            issued + rng.integers(0, 14, k),
        )  # fmt: skip
        # A customer about to leave pays later than usual.
        leaving = self.terminated[owner] & (
            due * DAY > self.terminated_at[owner] - PRE_CHURN_DAYS * DAY
        )
        late = rng.random(k) < np.where(leaving, 2 * self.late_p[owner] + 0.1, self.late_p[owner])
        paid_day = np.where(late, due + 1 + np.minimum(rng.geometric(1 / 12, k), 120), on_time)
        paid = (rng.random(k) >= self.late_p[owner] * 0.08) & (paid_day < today)

        # Bills behind a suspension or termination for non-payment stay open; a customer who
        # came back from one settled them the day the suspension was lifted.
        dunning_at = np.select(
            [self.suspended & (self.suspension_reason == "non_payment"), self.dunning_suspended,
             self.terminated & (self.termination_reason == "non_payment")],
            [self.suspended_at, self.dunning_suspended_at, self.terminated_at],
            0,
        )[owner]  # fmt: skip
        paid &= ~((dunning_at > 0) & (due * DAY >= dunning_at - 75 * DAY))
        settled = (
            self.past_suspension[owner]
            & self.past_for_debt[owner]
            & (due * DAY >= self.past_suspended_at[owner] - 60 * DAY)
            & (issued * DAY <= self.past_suspended_at[owner])
        )
        paid_day = np.where(settled, self.past_resumed_at[owner] // DAY, paid_day)
        paid |= settled

        # A customer may only leave with money owed for the reasons the lifecycle allows.
        owes_allowed = np.isin(
            self.termination_reason, list(TERMINATION_REASONS_ALLOWING_OVERDUE_DEBT)
        )
        clean_exit = (self.terminated & ~owes_allowed)[owner]
        final_day = self.terminated_at[owner] // DAY
        forced_day = np.minimum(np.maximum(issued, np.minimum(due, final_day)), today - 1)
        paid_day = np.where(clean_exit & ~paid, forced_day, paid_day)
        paid |= clean_exit

        partial = ~paid & (due < today - 30) & (rng.random(k) < 0.1)
        part = (amount * rng.uniform(0.2, 0.9, k)).astype(np.int64)
        # The daily job (01:30) finds a bill unpaid the day after its due date; the last
        # night's bills are left for the real job to find.
        missed_at = (due + 1) * DAY + 5400
        missed = (missed_at < ctx.now) & (~paid | (paid_day > due))
        amount_text = text.money(amount)
        labels = [
            f"INV-{d:%Y%m}-" for d in (date(1970, 1, 1) + timedelta(days=int(s)) for s in starts)
        ]
        serial_text = _objects(f"{s:07d}" for s in self.ids.serial.tolist())
        self.out[Invoice] = {
            "customer_id": self.customer_text[owner],
            "number": _objects(labels)[month] + serial_text[owner],
            "period_start": text.dates(starts[month]),
            "issued_on": text.dates(issued),
            "due_on": text.dates(due),
            "amount": amount_text,
            "paid_amount": np.where(paid, amount_text, text.money(np.where(partial, part, 0))),
            "paid_on": _nullable(text.dates(np.where(paid, paid_day, issued)), paid),
            "missed_at": _nullable(text.stamps(np.minimum(missed_at, ctx.now - 60)), missed),
        }

    def _interaction_rows(self):
        ctx, rng, text, now = self.ctx, self.rng, self.ctx.text, self.ctx.now
        order = np.lexsort((self.ix_owner, self.ix_at))  # in time order, as they were recorded
        owner, kind_index, at = self.ix_owner[order], self.ix_kind[order], self.ix_at[order]
        k = owner.size
        kinds = _objects(_KINDS)[kind_index]
        channel = np.zeros(k, dtype=np.int64)
        outbound = np.zeros(k, dtype=bool)
        summary = _blank(k)
        for i, kind in enumerate(_KINDS):
            rows = np.flatnonzero(kind_index == i)
            channel[rows] = _pick(rng, _CHANNELS, rows.size, _CHANNEL_MIX[kind])
            outbound[rows] = rng.random(rows.size) < _OUTBOUND_SHARE.get(kind, 0.05)
            summary[rows] = _draw(rng, _SUMMARIES[kind], rows.size)

        Outcome = Interaction.Outcome
        outcome = np.where(rng.random(k) < 0.85, Outcome.RESOLVED, Outcome.NO_ACTION).astype(object)
        r = rng.random(k)
        complaint = kinds == Interaction.Kind.COMPLAINT
        outcome[complaint & (r < 0.15)] = Outcome.ESCALATED
        outcome[complaint & (r >= 0.15) & (r < 0.3)] = Outcome.FOLLOW_UP
        recent = at > now - 10 * DAY
        r = rng.random(k)
        outcome[recent & (r < 0.3)] = Outcome.OPEN
        outcome[recent & (r >= 0.3) & (r < 0.45)] = Outcome.FOLLOW_UP
        closed = (outcome == Outcome.RESOLVED) | (outcome == Outcome.NO_ACTION)
        live_channel = np.isin(channel, [_CHANNELS.index(c) for c in ("phone", "store", "chat")])
        handling = np.where(
            live_channel, rng.integers(180, 2400, k), rng.integers(3600, 3 * DAY, k)
        )
        staffed_channel = np.isin(
            channel, [_CHANNELS.index(c) for c in ("phone", "email", "store", "chat", "field")]
        )
        staff_pool = np.concatenate([ctx.agent_ids, ctx.agent_ids, ctx.manager_ids])
        staff = _draw(rng, staff_pool.tolist(), k).astype(np.int64)
        staffed = staffed_channel & (rng.random(k) < 0.8)
        self.out[Interaction] = {
            "customer_id": self.customer_text[owner],
            "channel": _objects(_CHANNELS)[channel],
            "direction": np.where(outbound, "outbound", "inbound").astype(object),
            "kind": kinds,
            "occurred_at": text.stamps(at),
            "summary": summary,
            "outcome": outcome,
            "closed_at": _nullable(text.stamps(np.minimum(at + handling, now - 1)), closed),
            "staff_id": _nullable(_ints(staff), staffed),
            # Whoever took the contact owns it until it is resolved, and closed it if it was.
            "owner_id": _nullable(_ints(staff), staffed),
            "closed_by_id": _nullable(_ints(staff), staffed & closed),
            "created_at": text.stamps(np.minimum(at + rng.integers(0, 900, k), now - 1)),
        }

    def _relationship_rows(self):
        rng, n, text = self.rng, self.n, self.ctx.text
        followers = np.flatnonzero(self.household_head >= 0)
        referred = np.flatnonzero(self.referrer >= 0)
        people = np.flatnonzero(~self.is_org)
        with_contact = np.flatnonzero(self.is_org & (rng.random(n) < 0.3))
        if not people.size:
            with_contact = with_contact[:0]
        contact = people[rng.integers(0, max(people.size, 1), with_contact.size)]
        Kind = CustomerRelationship.Kind
        source = np.concatenate([followers, referred, contact])
        target = np.concatenate(
            [self.household_head[followers], self.referrer[referred], with_contact]
        )
        kinds = np.concatenate([
            _constant(Kind.HOUSEHOLD, followers.size),
            _constant(Kind.REFERRED_BY, referred.size),
            _constant(Kind.ORGANISATION_CONTACT, contact.size),
        ])  # fmt: skip
        self.out[CustomerRelationship] = {
            "from_customer_id": self.customer_text[source],
            "to_customer_id": self.customer_text[target],
            "kind": kinds,
            "created_at": text.stamps(
                np.maximum(self.created[source], self.created[target]) + 3600
            ),
        }

    def _lifecycle_rows(self):
        ctx, n, text = self.ctx, self.n, self.ctx.text
        everyone = np.arange(n)
        debt = np.where(self.past_for_debt, "non_payment", "customer_request").astype(object)
        settled = np.where(self.past_for_debt, "balance_settled", "customer_request").astype(object)
        # (customers, action, from, to, reason per customer, time per customer)
        events = [(everyone, "create", "", Status.LEAD, _blank(n), self.created)]
        events.append((np.flatnonzero(self.qualified), "qualify", Status.LEAD, Status.PROSPECT,
                       self.qualify_reason, self.qualified_at))  # fmt: skip
        for mask, action, target, reason, when in (
            (self.established, "establish", Status.ACTIVE, self.establish_reason,
             self.established_at),
            (self.disqualified, "disqualify", Status.DISQUALIFIED, self.disqualify_reason,
             self.disqualified_at),
        ):  # fmt: skip
            for was_qualified, source in ((True, Status.PROSPECT), (False, Status.LEAD)):
                rows = np.flatnonzero(mask & (self.qualified == was_qualified))
                events.append((rows, action, source, target, reason, when))
        past = np.flatnonzero(self.past_suspension)
        events += [
            (past, "suspend", Status.ACTIVE, Status.SUSPENDED, debt, self.past_suspended_at),
            (past, "resume", Status.SUSPENDED, Status.ACTIVE, settled, self.past_resumed_at),
            (np.flatnonzero(self.dunning_suspended), "suspend", Status.ACTIVE, Status.SUSPENDED,
             _constant("non_payment", n), self.dunning_suspended_at),
            (np.flatnonzero(self.suspended), "suspend", Status.ACTIVE, Status.SUSPENDED,
             self.suspension_reason, self.suspended_at),
        ]  # fmt: skip
        for after_dunning, source in ((True, Status.SUSPENDED), (False, Status.ACTIVE)):
            rows = np.flatnonzero(self.terminated & (self.dunning_suspended == after_dunning))
            events.append((rows, "terminate", source, Status.TERMINATED, self.termination_reason,
                           self.terminated_at))  # fmt: skip

        owner = np.concatenate([e[0] for e in events])
        at = np.concatenate([e[5][e[0]] for e in events])
        action = np.concatenate([_constant(e[1], e[0].size) for e in events])
        source = np.concatenate([_constant(e[2], e[0].size) for e in events])
        target = np.concatenate([_constant(e[3], e[0].size) for e in events])
        reason = np.concatenate([e[4][e[0]] for e in events])
        order = np.lexsort((owner, at))
        owner, at, action, source, target, reason = (
            column[order] for column in (owner, at, action, source, target, reason)
        )
        stamps = text.stamps(at)
        self.out[LifecycleEvent] = {
            "customer_id": self.customer_text[owner],
            "action": action,
            "from_status": source,
            "to_status": target,
            "reason": reason,
            "note": _blank(owner.size),
            "actor_id": _nulls(owner.size),
            "occurred_at": stamps,
        }

        # The action log mirrors each event with the data the lifecycle services record.
        created = np.flatnonzero(action == "create")
        log_action = _objects("customer." + a for a in action)
        log_action[created] = "customer.created"
        data = _transition_data(source, target, reason)
        data[created] = [
            json.dumps(
                {
                    "number": self.numbers[i],
                    "name": self.display_name[i],
                    "segment": self.segment[i],
                },
                ensure_ascii=False,
            )
            for i in owner[created].tolist()
        ]
        stale = np.flatnonzero(self.stale)
        idle_days = ((self.stale_since[stale] - self.last_activity[stale]) // DAY).tolist()
        stale_data = _objects(
            json.dumps({"idle_days": d, "threshold_days": ctx.stale_lead_days}) for d in idle_days
        )
        log_owner = np.concatenate([owner, stale])
        log_at = np.concatenate([at, self.stale_since[stale]])
        order = np.lexsort((log_owner, log_at))
        self.out[ActionLog] = {
            "customer_id": self.customer_text[log_owner[order]],
            "action": np.concatenate([log_action, _constant("customer.flagged_stale", stale.size)])[
                order
            ],
            "actor_id": _nulls(log_owner.size),
            "actor_label": _constant(ACTOR_LABEL, log_owner.size),
            "data": np.concatenate([data, stale_data])[order],
            "created_at": text.stamps(log_at[order]),
        }


# Calibrated so that about a quarter of the base has churned within the billing window.
CHURN_INTERCEPT = -1.95
# How long before leaving a churner complains and pays late more than usual.
PRE_CHURN_DAYS = 120


def _draw(rng: np.random.Generator, options, n: int) -> np.ndarray:
    return _objects(options)[rng.integers(0, len(options), n)]


def _transition_data(source, target, reason) -> np.ndarray:
    cache: dict[tuple, str] = {}
    out = []
    for key in zip(source, target, reason, strict=True):
        data = cache.get(key)
        if data is None:
            data = cache[key] = json.dumps(
                {"from": key[0], "to": key[1], "reason": key[2], "note": ""}
            )
        out.append(data)
    return _objects(out)


# --- Writing ------------------------------------------------------------------------------

# Parents before children, in the order COPY must see them.
TABLE_ORDER = (
    Party,
    Customer,
    ContactMedium,
    Consent,
    CommunicationPreferences,
    Subscription,
    Invoice,
    Interaction,
    CustomerRelationship,
    LifecycleEvent,
    ActionLog,
)


def _default_text(field) -> str | None:
    value = field.get_default()
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _complete(model, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The generated columns, checked against the model; defaults fill what was added since."""
    fields = {field.column: field for field in model._meta.concrete_fields}
    unknown = set(columns) - set(fields)
    if unknown:
        raise RuntimeError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
    size = len(next(iter(columns.values())))
    complete = dict(columns)
    for column, field in fields.items():
        if column in columns or field.primary_key:
            continue
        if field.has_default():
            complete[column] = np.full(size, _default_text(field), dtype=object)
        elif not field.null:
            raise RuntimeError(
                f"The demo data has no value for the new column {model.__name__}.{field.name}"
            )
    return complete


# Stands for NULL until the text is escaped; it cannot occur in generated values. An object
# array, because numpy strips trailing NUL characters from its own strings.
_NULL_MARK = _objects(["\x00"])


def _copy_text(columns: dict[str, np.ndarray]) -> str:
    """Rows in PostgreSQL's COPY text format."""
    values = []
    for column in columns.values():
        if None in column:
            column = np.where(np.equal(column, None), _NULL_MARK, column)
        values.append(column.tolist())
    text = "\n".join(map("\t".join, zip(*values, strict=True))) + "\n"
    rows = len(values[0])
    if text.count("\n") != rows or text.count("\t") != rows * (len(values) - 1):
        raise RuntimeError("A generated value contains a tab or a line break.")
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    return text.replace("\x00", "\\N")


def _batches(customers: int, batch_size: int):
    """(first run index, size) of each batch: whole blocks, so the data ignores the batch size."""
    batch = max(1, -(-batch_size // BLOCK)) * BLOCK
    for start in range(0, customers, batch):
        yield start, min(batch, customers - start)


def _batch_tables(ctx: _Context, start: int, ids: _Ids):
    """The blocks of one batch, one at a time."""
    for offset in range(0, len(ids.customer), BLOCK):
        yield _generate_block(ctx, start + offset, ids[offset : offset + BLOCK])


def _row_counts(tables: Tables, counts: dict[str, int]) -> None:
    for model, columns in tables.items():
        label = str(model._meta.verbose_name_plural)
        counts[label] = counts.get(label, 0) + len(next(iter(columns.values())))


def _copy_payload(ctx: _Context, start: int, ids: _Ids):
    """One batch as COPY data: {table: (columns, UTF-8 text)} and the rows per table."""
    names: dict[str, list[str]] = {}
    texts: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for tables in _batch_tables(ctx, start, ids):
        _row_counts(tables, counts)
        for model in TABLE_ORDER:
            columns = _complete(model, tables[model])
            table = model._meta.db_table
            if names.setdefault(table, list(columns)) != list(columns):
                raise RuntimeError(f"Blocks disagree on the columns of {model.__name__}.")
            texts.setdefault(table, []).append(_copy_text(columns))
    payload = {table: (names[table], "".join(texts[table]).encode()) for table in names}
    return payload, counts


def _generator_process(ctx: _Context, jobs, results) -> None:
    """Child process: turns each job (first run index, ids) into COPY data."""
    try:
        while (job := jobs.get()) is not None:
            results.put(("rows", *_copy_payload(ctx, *job)))
    except BaseException:
        results.put(("error", traceback.format_exc(), None))


class _Generator:
    """Generates batches one ahead of the writer, in a forked child process where possible.

    In another process Python has a core to itself while the database server uses the other; in
    a thread the two would queue for the interpreter lock instead. The child inherits the set-up
    Django process but never touches the database, and multiprocessing ends it with os._exit, so
    the inherited connection is left alone.
    """

    def __init__(self, ctx: _Context, batches: list[tuple[int, int]], reserve):
        self.ctx, self.batches, self.reserve = ctx, batches, reserve
        self.counts: dict[str, int] = {}
        self.process = None
        if "fork" in multiprocessing.get_all_start_methods():
            fork = multiprocessing.get_context("fork")
            self.jobs, self.results = fork.Queue(), fork.Queue(maxsize=1)
            self.process = fork.Process(
                target=_generator_process,
                args=(ctx, self.jobs, self.results),
                name="seed-demo-generator",
                daemon=True,
            )
            self.process.start()

    def __iter__(self):
        """The COPY data of each batch, in order."""
        if self.process is None:
            for start, size in self.batches:
                payload, counts = _copy_payload(self.ctx, start, self.reserve(size))
                self._add(counts)
                yield payload
            return
        self._submit(0)
        for index in range(len(self.batches)):
            self._submit(index + 1)
            yield self._receive()
        self.jobs.put(None)
        self.process.join(timeout=30)

    def close(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.terminate()
            self.process.join()
            self.jobs.close()
            self.results.close()

    def _submit(self, index: int) -> None:
        if index < len(self.batches):
            start, size = self.batches[index]
            self.jobs.put((start, self.reserve(size)))

    def _receive(self):
        while True:
            try:
                kind, payload, counts = self.results.get(timeout=1)
            except queue.Empty:
                if not self.process.is_alive():
                    raise RuntimeError("The demo data generator stopped unexpectedly.") from None
                continue
            if kind == "error":
                raise RuntimeError(f"Generating the demo data failed:\n{payload}")
            self._add(counts)
            return payload

    def _add(self, counts: dict[str, int]) -> None:
        for label, count in counts.items():
            self.counts[label] = self.counts.get(label, 0) + count


def _postgres_load(ctx: _Context, customers: int, batch_size: int, progress, notify) -> dict:
    """COPY every batch while the next one is generated.

    Normally each batch is its own transaction. A bulk load instead runs as one transaction that
    drops the secondary indexes and foreign keys of the seeded tables, copies every row, then
    rebuilds the indexes and re-adds the foreign keys, which checks every reference in one join
    per key. Building an index once from all rows is cheaper than updating it row by row, and it
    is what brings a million customers within minutes. Other sessions wait for these tables
    meanwhile; a failure rolls back everything, schema included.
    """
    bulk = customers >= max(BULK_LOAD_MIN_CUSTOMERS, ctx.first_index) and _owns_tables()
    sequences = []
    with connection.cursor() as cursor:
        for model in (Party, Customer):
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [model._meta.db_table])
            sequences.append(cursor.fetchone()[0])

    def reserve(n: int) -> _Ids:
        """Primary keys from the tables' own sequences: safe next to other writers."""
        keys = []
        with connection.cursor() as cursor:
            for sequence in sequences:
                cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, n])
                keys.append(np.array([row[0] for row in cursor.fetchall()], dtype=np.int64))
        return _Ids(keys[0], keys[1], np.array(customer_serials_allocate(n), dtype=np.int64))

    def copy_batch(cursor, payload) -> None:
        quote = connection.ops.quote_name
        for table, (names, data) in payload.items():
            columns = ", ".join(quote(name) for name in names)
            with cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
                copy.write(data)

    def session(cursor) -> None:
        # Losing the last commits in a crash would only lose demo rows. Timestamps are UTC.
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")

    batches = list(_batches(customers, batch_size))
    generator = _Generator(ctx, batches, reserve)
    try:
        if bulk:
            with transaction.atomic(), connection.cursor() as cursor:
                session(cursor)
                restore = _detach(cursor)
                for (_, size), payload in zip(batches, generator, strict=True):
                    copy_batch(cursor, payload)
                    if progress:
                        progress(size)
                if notify:
                    notify("Rebuilding indexes and checking every reference…")
                for statement in restore:
                    cursor.execute(statement)
        else:
            for (_, size), payload in zip(batches, generator, strict=True):
                with transaction.atomic(), connection.cursor() as cursor:
                    session(cursor)
                    copy_batch(cursor, payload)
                if progress:
                    progress(size)
    finally:
        generator.close()
    return generator.counts


def _detach(cursor) -> list[str]:
    """Drop the foreign keys and secondary indexes; return the statements that restore them."""
    cursor.execute("SET LOCAL maintenance_work_mem TO '512MB'")
    tables = [model._meta.db_table for model in TABLE_ORDER]
    cursor.execute(
        """
        SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid)
        FROM pg_constraint
        WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])
        ORDER BY 1, 2
        """,
        [tables],
    )
    foreign_keys = cursor.fetchall()
    # Primary keys stay, and so does any index a foreign key from elsewhere relies on.
    cursor.execute(
        """
        SELECT ix.indrelid::regclass::text, ix.indexrelid::regclass::text,
               pg_get_indexdef(ix.indexrelid), quote_ident(con.conname),
               pg_get_constraintdef(con.oid)
        FROM pg_index ix
        LEFT JOIN pg_constraint con
          ON con.conindid = ix.indexrelid AND con.conrelid = ix.indrelid
         AND con.contype IN ('u', 'x')
        WHERE ix.indrelid = ANY(%s::regclass[]) AND NOT ix.indisprimary
          AND NOT EXISTS (
            SELECT 1 FROM pg_constraint f
            WHERE f.contype = 'f' AND f.conindid = ix.indexrelid
              AND NOT f.conrelid = ANY(%s::regclass[])
          )
        ORDER BY 1, 2
        """,
        [tables, tables],
    )
    indexes = cursor.fetchall()
    drop, restore, add_keys = [], [], []
    for table, name, definition in foreign_keys:
        drop.append(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        add_keys.append(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    for table, index, index_definition, constraint, constraint_definition in indexes:
        if constraint:
            drop.append(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
            restore.append(
                f"ALTER TABLE {table} ADD CONSTRAINT {constraint} {constraint_definition}"
            )
        else:
            drop.append(f"DROP INDEX {index}")
            restore.append(index_definition)
    for statement in drop:
        cursor.execute(statement)
    return restore + add_keys


def _sqlite_load(ctx: _Context, customers: int, batch_size: int, progress) -> dict:
    """Multi-row inserts; bulk_create would overwrite the historical created_at and updated_at."""
    counts: dict[str, int] = {}
    quote = connection.ops.quote_name
    for start, size in _batches(customers, batch_size):
        # The transaction holds SQLite's write lock, so the keys read here stay free.
        with transaction.atomic(), connection.cursor() as cursor:
            keys = []
            for model in (Party, Customer):
                table = model._meta.db_table
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quote(table)}")
                highest = cursor.fetchone()[0]
                # AUTOINCREMENT never reuses the key of a deleted row; neither do we.
                cursor.execute(
                    "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table]
                )
                highest = max(highest, cursor.fetchone()[0])
                keys.append(np.arange(highest + 1, highest + 1 + size, dtype=np.int64))
            serials = np.array(customer_serials_allocate(size), dtype=np.int64)
            for tables in _batch_tables(ctx, start, _Ids(keys[0], keys[1], serials)):
                _row_counts(tables, counts)
                for model in TABLE_ORDER:
                    columns = _complete(model, tables[model])
                    names = ", ".join(quote(name) for name in columns)
                    marks = ", ".join(["%s"] * len(columns))
                    cursor.executemany(
                        f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})",
                        list(zip(*(column.tolist() for column in columns.values()), strict=True)),
                    )
        if progress:
            progress(size)
    return counts


# --- Entry point ------------------------------------------------------------------------------


def demo_base_seed(
    *,
    customers: int,
    seed: int = 42,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int], object] | None = None,
    notify: Callable[[str], object] | None = None,
    as_of: date | None = None,
) -> dict[str, int]:
    """Add ``customers`` synthetic customers with their whole history; returns rows per table.

    ``progress`` is called with the number of customers of each written batch and ``notify``
    with a message when a long step without progress begins. ``as_of`` is the reference day the
    history leads up to (today by default). On PostgreSQL, a load of at least
    ``BULK_LOAD_MIN_CUSTOMERS`` that at least doubles the base runs as one bulk transaction (see
    ``_postgres_load``).
    """
    if customers < 1:
        raise ValueError("The number of customers must be at least 1.")
    if batch_size < 1:
        raise ValueError("The batch size must be at least 1.")
    _check_reasons()
    reference_day = as_of or timezone.localdate()
    now_day = _epoch_day(reference_day)
    now = int(datetime.combine(reference_day, time.min, tzinfo=UTC).timestamp())
    current_month = _month_start(reference_day)
    month_starts = np.array(
        [_epoch_day(_month_start(current_month, m)) for m in range(-BILLING_MONTHS + 1, 2)]
    )
    counts: dict[str, int] = {}
    products = _catalogue_ensure(counts)
    partner_ids = _partners_ensure(counts)
    managers, agents = _staff_ensure(counts)
    ctx = _Context(
        seed=seed,
        first_index=Customer.objects.count(),
        total=customers,
        now=now,
        history_start=_epoch_day(_month_start(current_month, -HISTORY_MONTHS)) * DAY,
        month_starts=month_starts[:-1],
        month_ends=month_starts[1:] - 1,
        text=_Text(now_day - 120 * 366, now_day + 400),
        product_ids={p.code: p.pk for p in products},
        product_cents={p.code: int(p.list_price * 100) for p in products},
        product_family={p.code: p.family for p in products},
        partner_ids=np.array(partner_ids, dtype=np.int64),
        manager_ids=np.array(managers, dtype=np.int64),
        agent_ids=np.array(agents, dtype=np.int64),
        stale_lead_days=settings.CRM_STALE_LEAD_DAYS,
    )
    if connection.vendor == "postgresql":
        counts |= _postgres_load(ctx, customers, batch_size, progress, notify)
        # Fresh statistics, so the planner knows the tables are no longer empty.
        with connection.cursor() as cursor:
            for model in TABLE_ORDER:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    else:
        counts |= _sqlite_load(ctx, customers, batch_size, progress)
    return counts


def _owns_tables() -> bool:
    """Whether this database user may drop and rebuild the indexes of the seeded tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bool_and(pg_has_role(relowner, 'USAGE')) FROM pg_class "
            "WHERE oid = ANY(%s::regclass[])",
            [[model._meta.db_table for model in TABLE_ORDER]],
        )
        return bool(cursor.fetchone()[0])


def _check_reasons() -> None:
    for action, used in REASONS_USED.items():
        unknown = used - set(TRANSITION_REASONS.get(action, ()))
        if unknown:
            raise RuntimeError(
                f"The lifecycle no longer accepts {', '.join(sorted(unknown))} to {action}; "
                "update the demo data."
            )


def _catalogue_ensure(counts: dict[str, int]) -> list[Product]:
    products = []
    for code, name, family, price, margin in CATALOGUE:
        product, _ = Product.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "family": family,
                "list_price": Decimal(price),
                "margin_rate": Decimal(margin),
            },
        )
        products.append(product)
    counts["products"] = len(products)
    return products


def _partners_ensure(counts: dict[str, int]) -> list[int]:
    ids = []
    for name, status in PARTNERS:
        partner, _ = Partner.objects.get_or_create(name=name, defaults={"status": status})
        if partner.status == Partner.Status.APPROVED:
            ids.append(partner.pk)
    counts["partners"] = len(PARTNERS)
    return ids


def _staff_ensure(counts: dict[str, int]) -> tuple[list[int], list[int]]:
    """Staff who manage accounts and handle contacts; they cannot log in until given a password."""
    User = get_user_model()
    managers, agents = [], []
    for username, first, last, role in STAFF:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_staff": True,
                      "email": f"{username}@staff.example.com"},
        )  # fmt: skip
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            group = Group.objects.filter(name=role).first()
            if group:
                user.groups.add(group)
        (managers if role == "manager" else agents).append(user.pk)
    counts["staff users"] = len(STAFF)
    return managers, agents
