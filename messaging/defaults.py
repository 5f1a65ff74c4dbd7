"""The wording a message has until a manager edits it, per event and language.

Placeholders are those of ``placeholders.PLACEHOLDERS``; tests check every text here against
them, so a default can never be refused by the editor that shows it.
"""

# ruff: noqa: E501  (sentences customers read: wrapping them helps nobody)

from .models import Event

DEFAULT_TEXTS: dict[str, dict[str, tuple[str, str]]] = {
    Event.WELCOME: {
        "en": (
            "Welcome, {name}",
            "Hello {name},\n\nwelcome! Your customer account {number} is active since {date}.\n"
            "Keep your customer number at hand when you contact us.\n\nKind regards,\nYour service team",
        ),
        "de": (
            "Willkommen, {name}",
            "Guten Tag {name},\n\nwillkommen! Ihr Kundenkonto {number} ist seit dem {date} aktiv.\n"
            "Bitte halten Sie Ihre Kundennummer bereit, wenn Sie uns kontaktieren.\n\n"
            "Freundliche Grüße\nIhr Kundenservice",
        ),
        "fr": (
            "Bienvenue, {name}",
            "Bonjour {name},\n\nbienvenue ! Votre compte client {number} est actif depuis le {date}.\n"
            "Gardez votre numéro client à portée de main lorsque vous nous contactez.\n\n"
            "Cordialement,\nVotre service client",
        ),
        "es": (
            "Bienvenido/a, {name}",
            "Hola {name}:\n\n¡bienvenido/a! Su cuenta de cliente {number} está activa desde el {date}.\n"
            "Tenga a mano su número de cliente cuando se ponga en contacto con nosotros.\n\n"
            "Atentamente,\nSu servicio de atención al cliente",
        ),
    },
    Event.SUSPENSION: {
        "en": (
            "Your services are suspended",
            "Hello {name},\n\nthe services of your customer account {number} are suspended as of "
            "{date}. Please contact us to resume them.\n\nKind regards,\nYour service team",
        ),
        "de": (
            "Ihre Dienste sind gesperrt",
            "Guten Tag {name},\n\ndie Dienste Ihres Kundenkontos {number} sind seit dem {date} "
            "gesperrt. Bitte kontaktieren Sie uns, um sie wieder freizuschalten.\n\n"
            "Freundliche Grüße\nIhr Kundenservice",
        ),
        "fr": (
            "Vos services sont suspendus",
            "Bonjour {name},\n\nles services de votre compte client {number} sont suspendus depuis "
            "le {date}. Contactez-nous pour les rétablir.\n\nCordialement,\nVotre service client",
        ),
        "es": (
            "Sus servicios están suspendidos",
            "Hola {name}:\n\nlos servicios de su cuenta de cliente {number} están suspendidos desde "
            "el {date}. Póngase en contacto con nosotros para reanudarlos.\n\n"
            "Atentamente,\nSu servicio de atención al cliente",
        ),
    },
    Event.TERMINATION: {
        "en": (
            "Confirmation: your contract has ended",
            "Hello {name},\n\nwe confirm that the relationship for customer account {number} ended "
            "on {date}.\nYour final bill: last invoice {invoice}; amount still owed: {amount}.\n\n"
            "Thank you for having been our customer.\nYour service team",
        ),
        "de": (
            "Bestätigung: Ihr Vertrag ist beendet",
            "Guten Tag {name},\n\nwir bestätigen, dass die Kundenbeziehung für das Kundenkonto "
            "{number} am {date} beendet wurde.\nIhre Schlussrechnung: letzte Rechnung {invoice}; "
            "noch offener Betrag: {amount}.\n\nVielen Dank, dass Sie unser Kunde waren.\n"
            "Ihr Kundenservice",
        ),
        "fr": (
            "Confirmation : votre contrat a pris fin",
            "Bonjour {name},\n\nnous confirmons que la relation pour le compte client {number} a "
            "pris fin le {date}.\nVotre facture finale : dernière facture {invoice} ; montant "
            "restant dû : {amount}.\n\nMerci d'avoir été notre client.\nVotre service client",
        ),
        "es": (
            "Confirmación: su contrato ha finalizado",
            "Hola {name}:\n\nle confirmamos que la relación de la cuenta de cliente {number} "
            "finalizó el {date}.\nSu factura final: última factura {invoice}; importe pendiente: "
            "{amount}.\n\nGracias por haber sido nuestro cliente.\n"
            "Su servicio de atención al cliente",
        ),
    },
    Event.WELCOME_BACK: {
        "en": (
            "Welcome back, {name}",
            "Hello {name},\n\nwelcome back! Your customer account {number} is active again since "
            "{date}, with all its history.\n\nKind regards,\nYour service team",
        ),
        "de": (
            "Willkommen zurück, {name}",
            "Guten Tag {name},\n\nwillkommen zurück! Ihr Kundenkonto {number} ist seit dem {date} "
            "wieder aktiv, mit seiner ganzen Geschichte.\n\nFreundliche Grüße\nIhr Kundenservice",
        ),
        "fr": (
            "Bon retour parmi nous, {name}",
            "Bonjour {name},\n\nbon retour parmi nous ! Votre compte client {number} est de "
            "nouveau actif depuis le {date}, avec tout son historique.\n\n"
            "Cordialement,\nVotre service client",
        ),
        "es": (
            "Bienvenido/a de nuevo, {name}",
            "Hola {name}:\n\n¡bienvenido/a de nuevo! Su cuenta de cliente {number} vuelve a estar "
            "activa desde el {date}, con todo su historial.\n\n"
            "Atentamente,\nSu servicio de atención al cliente",
        ),
    },
    Event.CONTACT_CHANGE: {
        "en": (
            "Your contact details have changed",
            "Hello {name},\n\nthe contact details of your customer account {number} were changed "
            "on {date}: {contact}.\nIf you did not ask for this change, please contact us at once."
            "\n\nKind regards,\nYour service team",
        ),
        "de": (
            "Ihre Kontaktdaten wurden geändert",
            "Guten Tag {name},\n\ndie Kontaktdaten Ihres Kundenkontos {number} wurden am {date} "
            "geändert: {contact}.\nWenn Sie diese Änderung nicht veranlasst haben, kontaktieren "
            "Sie uns bitte sofort.\n\nFreundliche Grüße\nIhr Kundenservice",
        ),
        "fr": (
            "Vos coordonnées ont été modifiées",
            "Bonjour {name},\n\nles coordonnées de votre compte client {number} ont été modifiées "
            "le {date} : {contact}.\nSi vous n'avez pas demandé cette modification, "
            "contactez-nous immédiatement.\n\nCordialement,\nVotre service client",
        ),
        "es": (
            "Sus datos de contacto han cambiado",
            "Hola {name}:\n\nlos datos de contacto de su cuenta de cliente {number} se modificaron "
            "el {date}: {contact}.\nSi usted no solicitó este cambio, póngase en contacto con "
            "nosotros de inmediato.\n\nAtentamente,\nSu servicio de atención al cliente",
        ),
    },
    Event.STATEMENT: {
        "en": (
            "Your statement for {period}",
            "Hello {name},\n\nyour statement for customer account {number} covering {period} is "
            "attached as a PDF. Closing balance: {amount}.\nYou also find it in your customer "
            "portal.\n\nKind regards,\nYour service team",
        ),
        "de": (
            "Ihr Kontoauszug für {period}",
            "Guten Tag {name},\n\nim Anhang finden Sie den Kontoauszug Ihres Kundenkontos {number} "
            "für den Zeitraum {period} als PDF. Schlusssaldo: {amount}.\nSie finden ihn auch in "
            "Ihrem Kundenportal.\n\nFreundliche Grüße\nIhr Kundenservice",
        ),
        "fr": (
            "Votre relevé pour la période {period}",
            "Bonjour {name},\n\nvous trouverez ci-joint en PDF le relevé de votre compte client "
            "{number} pour la période {period}. Solde de clôture : {amount}.\nIl est aussi "
            "disponible dans votre espace client.\n\nCordialement,\nVotre service client",
        ),
        "es": (
            "Su extracto del periodo {period}",
            "Hola {name}:\n\nadjuntamos en PDF el extracto de su cuenta de cliente {number} del "
            "periodo {period}. Saldo final: {amount}.\nTambién lo encontrará en su portal de "
            "cliente.\n\nAtentamente,\nSu servicio de atención al cliente",
        ),
    },
    Event.PAYMENT_OVERDUE: {
        "en": (
            "Payment overdue: your services may be suspended",
            "Hello {name},\n\nwe have not yet received the payment of {amount} for invoice {invoice} "
            "of your customer account {number}, due on {date}.\nPlease pay it as soon as possible "
            "so that your services are not suspended. If you have paid in the meantime, please "
            "disregard this message.\n\nKind regards,\nYour service team",
        ),
        "de": (
            "Zahlung überfällig: Ihre Dienste könnten gesperrt werden",
            "Guten Tag {name},\n\ndie am {date} fällige Zahlung von {amount} für die Rechnung "
            "{invoice} Ihres Kundenkontos {number} ist bei uns noch nicht eingegangen.\nBitte "
            "begleichen Sie den Betrag so bald wie möglich, damit Ihre Dienste nicht gesperrt "
            "werden. Falls Sie inzwischen bezahlt haben, betrachten Sie diese Nachricht bitte als "
            "gegenstandslos.\n\nFreundliche Grüße\nIhr Kundenservice",
        ),
        "fr": (
            "Paiement en retard : vos services risquent d'être suspendus",
            "Bonjour {name},\n\nnous n'avons pas encore reçu le paiement de {amount} pour la "
            "facture {invoice} de votre compte client {number}, échue le {date}.\nMerci de la "
            "régler dès que possible afin d'éviter la suspension de vos services. Si vous avez payé "
            "entre-temps, ne tenez pas compte de ce message.\n\nCordialement,\nVotre service client",
        ),
        "es": (
            "Pago vencido: sus servicios podrían suspenderse",
            "Hola {name}:\n\ntodavía no hemos recibido el pago de {amount} de la factura {invoice} "
            "de su cuenta de cliente {number}, con vencimiento el {date}.\nLe rogamos que lo abone "
            "lo antes posible para evitar la suspensión de sus servicios. Si ya ha pagado, no tenga "
            "en cuenta este mensaje.\n\nAtentamente,\nSu servicio de atención al cliente",
        ),
    },
}

# What {invoice} says when the customer was never billed.
NO_INVOICE = {"en": "none", "de": "keine", "fr": "aucune", "es": "ninguna"}

# What {contact} says about the contact detail that changed.
CONTACT_WORDS = {
    "en": {
        "added": "{new} added",
        "removed": "{old} removed",
        "changed": "{old} replaced by {new}",
    },
    "de": {
        "added": "{new} hinzugefügt",
        "removed": "{old} entfernt",
        "changed": "{old} ersetzt durch {new}",
    },
    "fr": {
        "added": "{new} ajouté",
        "removed": "{old} supprimé",
        "changed": "{old} remplacé par {new}",
    },
    "es": {
        "added": "{new} añadido",
        "removed": "{old} eliminado",
        "changed": "{old} sustituido por {new}",
    },
}
