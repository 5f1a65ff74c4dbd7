"""What the demo company sells, who it works with, and what its customers contact it about."""

from customers.models import Interaction, Partner, Product

from .context import Segment

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
    ("ADD-VOICEMAIL", "Visual Voicemail", F.ADD_ON, "2.50", "0.900"),
    ("ENT-WAN", "Managed WAN site", F.BROADBAND, "450.00", "0.380"),
    ("ENT-IOT", "IoT SIM pool (100 SIMs)", F.MOBILE, "120.00", "0.550"),
    ("WS-BITSTREAM", "Wholesale bitstream access (per line)", F.BROADBAND, "11.50", "0.180"),
    ("WS-MVNO", "Wholesale mobile access (per SIM)", F.MOBILE, "4.20", "0.200"),
)
del F
Option = Product.Option
# What each product gives beyond its family: the features tell an international plan from
# voicemail by it.
OPTIONS = {
    "MOB-UNLMAX": Option.ROAMING_PACK,
    "ADD-ROAM": Option.ROAMING_PACK,
    "ADD-INTL": Option.INTERNATIONAL_CALLING,
    "ADD-DATA10": Option.DATA_PACK,
    "ADD-SEC": Option.SECURITY,
    "ADD-VOICEMAIL": Option.VOICEMAIL,
    "DEV-PHONE": Option.DEVICE_PLAN,
    "DEV-PHONE-PRO": Option.DEVICE_PLAN,
    "DEV-TABLET": Option.DEVICE_PLAN,
    "TV-SPORT": Option.STREAMING,
    "TV-ENT": Option.STREAMING,
}
del Option
Access = Product.Access
# The network each line is delivered over: the features tell fibre from copper by it.
ACCESS = {
    **dict.fromkeys(
        ("BB-FIBRE150", "BB-FIBRE500", "BB-GIGA", "BB-BIZ", "ENT-WAN", "FV-SIP"), Access.FIBRE
    ),
    **dict.fromkeys(("BUN-DUO", "BUN-TRIO", "BUN-FAMILY", "BUN-OFFICE"), Access.FIBRE),
    **dict.fromkeys(("FV-HOME", "FV-ANYTIME", "WS-BITSTREAM"), Access.COPPER),
}
del Access

# Per segment: (products of the first subscription, weights), (products of further ones, weights)
PRODUCT_MIX = {
    Segment.RESIDENTIAL: (
        {"MOB-SIM10": 8, "MOB-SIM50": 10, "MOB-UNL": 10, "MOB-UNLMAX": 4, "MOB-PAYG": 4,
         "BB-FIBRE150": 8, "BB-FIBRE500": 8, "BB-GIGA": 4, "BUN-DUO": 10, "BUN-TRIO": 7,
         "BUN-FAMILY": 5, "FV-HOME": 3, "DEV-PHONE": 6, "DEV-PHONE-PRO": 3},
        {"ADD-ROAM": 6, "ADD-INTL": 3, "ADD-DATA10": 5, "ADD-SEC": 5, "ADD-CLOUD": 3,
         "ADD-INSURE": 5, "DEV-PHONE": 6, "DEV-PHONE-PRO": 3, "DEV-TABLET": 2, "DEV-MESH": 3,
         "TV-ESS": 4, "TV-ENT": 3, "TV-SPORT": 3, "MOB-SIM10": 4, "MOB-SIM50": 4,
         "FV-ANYTIME": 2, "ADD-VOICEMAIL": 3},
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
QUANTITY = {
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

SUMMARIES = {
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
INTERACTION_KINDS = tuple(SUMMARIES)
CHANNELS = tuple(Interaction.Channel.values)
# Channel weights per interaction kind, in the order of CHANNELS:
# phone, email, web, store, chat, social, sms, field
CHANNEL_MIX = {
    Interaction.Kind.INQUIRY: (35, 15, 15, 12, 18, 3, 2, 0),
    Interaction.Kind.COMPLAINT: (45, 20, 5, 8, 12, 10, 0, 0),
    Interaction.Kind.ORDER: (25, 5, 40, 20, 8, 0, 2, 0),
    Interaction.Kind.BILLING: (40, 25, 15, 5, 10, 0, 5, 0),
    Interaction.Kind.SUPPORT: (45, 10, 10, 8, 17, 2, 0, 8),
    Interaction.Kind.SALES: (55, 25, 0, 10, 0, 0, 10, 0),
    Interaction.Kind.RETENTION: (80, 10, 0, 5, 5, 0, 0, 0),
    Interaction.Kind.SURVEY: (15, 35, 10, 0, 0, 0, 40, 0),
}
OUTBOUND_SHARE = {
    Interaction.Kind.SALES: 0.8,
    Interaction.Kind.SURVEY: 1.0,
    Interaction.Kind.RETENTION: 0.5,
    Interaction.Kind.BILLING: 0.25,
}
# Kinds of everyday contact while a customer holds products (complaints and billing are
# driven separately by the customer's latent propensities).
EVERYDAY_KINDS = (
    Interaction.Kind.INQUIRY,
    Interaction.Kind.SUPPORT,
    Interaction.Kind.ORDER,
    Interaction.Kind.SALES,
    Interaction.Kind.SURVEY,
)
EVERYDAY_WEIGHTS = (0.34, 0.36, 0.12, 0.08, 0.10)
