"""What customers read: the public page's own words and the invitation, per language.

The survey's questions come from its version (``SurveyVersion.texts``); these are the words
around them. A language missing here falls back to English, a key missing in a language too.
"unsubscribe" ends with its ``{link}``: the e-mails put the opt-out link after the words.
"""

from crm import languages

PAGE = {
    "en": {
        "title": "Your opinion",
        "send": "Send my answer",
        "comment_optional": "optional",
        "thanks_title": "Thank you",
        "thanks": "Thank you for your answer. It helps us do better.",
        "answered_title": "Already answered",
        "answered": "This survey has already been answered. Thank you!",
        "expired_title": "This survey has closed",
        "expired": "The link has expired. Thank you for your interest.",
        "invalid_title": "This link does not work",
        "invalid": "The link is incomplete or has been changed. Please use the link from your message.",
        "opt_out": "Do not send me surveys any more",
        "opt_out_title": "No more surveys",
        "opt_out_done": "You will not receive satisfaction surveys from us any more.",
        "opt_out_confirm": "Stop sending me surveys",
        "low": "Not at all likely",
        "high": "Extremely likely",
        "csat_low": "Very dissatisfied",
        "csat_high": "Very satisfied",
        "ces_low": "Strongly disagree",
        "ces_high": "Strongly agree",
        "comment_label": "Your comment",
        "errors_title": "Please check your answer.",
        "opt_out_intro": "You are about to stop receiving satisfaction surveys from us. You will still receive messages about your services.",
        "opt_out_keep": "Back to the survey",
        "choose": "Choose a score.",
        "subject": "How did we do?",
        "reminder_subject": "Reminder: how did we do?",
        "greeting": "Hello {name},",
        "invite": "We would like to know how we did. Answering takes less than a minute:",
        "answer_now": "Answer now",
        "expires": "The link works until {date}.",
        "unsubscribe": "No more surveys: {link}",
        "csrf_title": "The form could not be sent",
        "csrf": "To protect your data, this page needs a cookie, and your browser did not send it. Please allow cookies for this site, then open the page again and send the form once more. Nothing has been saved yet.",
        "open_again": "Open the page again",
        "bad_request_title": "The request could not be read",
        "bad_request": "Your browser sent a request we could not read. Please open the page again.",
        "not_found_title": "Page not found",
        "not_found": "There is nothing at this address. Please check the link you followed.",
        "server_error_title": "Something went wrong on our side",
        "server_error": "The page could not be shown. Please try again in a few minutes.",
    },
    "de": {
        "title": "Ihre Meinung",
        "send": "Antwort senden",
        "comment_optional": "optional",
        "thanks_title": "Vielen Dank",
        "thanks": "Vielen Dank für Ihre Antwort. Sie hilft uns, besser zu werden.",
        "answered_title": "Bereits beantwortet",
        "answered": "Diese Umfrage wurde bereits beantwortet. Vielen Dank!",
        "expired_title": "Diese Umfrage ist beendet",
        "expired": "Der Link ist abgelaufen. Vielen Dank für Ihr Interesse.",
        "invalid_title": "Dieser Link funktioniert nicht",
        "invalid": "Der Link ist unvollständig oder wurde verändert. Bitte nutzen Sie den Link aus Ihrer Nachricht.",
        "opt_out": "Keine Umfragen mehr senden",
        "opt_out_title": "Keine Umfragen mehr",
        "opt_out_done": "Sie erhalten von uns keine Zufriedenheitsumfragen mehr.",
        "opt_out_confirm": "Keine Umfragen mehr senden",
        "low": "Überhaupt nicht wahrscheinlich",
        "high": "Äußerst wahrscheinlich",
        "csat_low": "Sehr unzufrieden",
        "csat_high": "Sehr zufrieden",
        "ces_low": "Stimme überhaupt nicht zu",
        "ces_high": "Stimme voll und ganz zu",
        "comment_label": "Ihr Kommentar",
        "errors_title": "Bitte prüfen Sie Ihre Antwort.",
        "opt_out_intro": "Sie erhalten dann keine Zufriedenheitsumfragen mehr von uns. Nachrichten zu Ihren Diensten erhalten Sie weiterhin.",
        "opt_out_keep": "Zurück zur Umfrage",
        "choose": "Bitte wählen Sie einen Wert.",
        "subject": "Wie zufrieden waren Sie?",
        "reminder_subject": "Erinnerung: Wie zufrieden waren Sie?",
        "greeting": "Guten Tag {name},",
        "invite": "Wir möchten wissen, wie zufrieden Sie waren. Die Antwort dauert weniger als eine Minute:",
        "answer_now": "Jetzt antworten",
        "expires": "Der Link gilt bis {date}.",
        "unsubscribe": "Keine Umfragen mehr: {link}",
        "csrf_title": "Das Formular konnte nicht gesendet werden",
        "csrf": "Zum Schutz Ihrer Daten braucht diese Seite ein Cookie, und Ihr Browser hat keines gesendet. Bitte erlauben Sie Cookies für diese Website, öffnen Sie die Seite erneut und senden Sie das Formular noch einmal. Es wurde noch nichts gespeichert.",
        "open_again": "Seite erneut öffnen",
        "bad_request_title": "Die Anfrage konnte nicht gelesen werden",
        "bad_request": "Ihr Browser hat eine Anfrage gesendet, die wir nicht lesen konnten. Bitte öffnen Sie die Seite erneut.",
        "not_found_title": "Seite nicht gefunden",
        "not_found": "Unter dieser Adresse gibt es nichts. Bitte prüfen Sie den Link, dem Sie gefolgt sind.",
        "server_error_title": "Bei uns ist ein Fehler aufgetreten",
        "server_error": "Die Seite konnte nicht angezeigt werden. Bitte versuchen Sie es in einigen Minuten noch einmal.",
    },
    "fr": {
        "title": "Votre avis",
        "send": "Envoyer ma réponse",
        "comment_optional": "facultatif",
        "thanks_title": "Merci",
        "thanks": "Merci pour votre réponse. Elle nous aide à nous améliorer.",
        "answered_title": "Déjà répondu",
        "answered": "Vous avez déjà répondu à cette enquête. Merci !",
        "expired_title": "Cette enquête est close",
        "expired": "Le lien a expiré. Merci de votre intérêt.",
        "invalid_title": "Ce lien ne fonctionne pas",
        "invalid": "Le lien est incomplet ou a été modifié. Utilisez le lien de votre message.",
        "opt_out": "Ne plus m'envoyer d'enquêtes",
        "opt_out_title": "Plus d'enquêtes",
        "opt_out_done": "Vous ne recevrez plus d'enquêtes de satisfaction de notre part.",
        "opt_out_confirm": "Ne plus m'envoyer d'enquêtes",
        "low": "Pas du tout probable",
        "high": "Très probable",
        "csat_low": "Très insatisfait(e)",
        "csat_high": "Très satisfait(e)",
        "ces_low": "Pas du tout d'accord",
        "ces_high": "Tout à fait d'accord",
        "comment_label": "Votre commentaire",
        "errors_title": "Veuillez vérifier votre réponse.",
        "opt_out_intro": "Vous ne recevrez plus d'enquêtes de satisfaction de notre part. Vous recevrez toujours les messages concernant vos services.",
        "opt_out_keep": "Retour à l'enquête",
        "choose": "Choisissez une note.",
        "subject": "Comment avons-nous fait ?",
        "reminder_subject": "Rappel : comment avons-nous fait ?",
        "greeting": "Bonjour {name},",
        "invite": "Nous aimerions savoir ce que vous avez pensé de notre service. Cela prend moins d'une minute :",
        "answer_now": "Répondre",
        "expires": "Le lien est valable jusqu'au {date}.",
        "unsubscribe": "Plus d'enquêtes : {link}",
        "csrf_title": "Le formulaire n'a pas pu être envoyé",
        "csrf": "Pour protéger vos données, cette page a besoin d'un cookie, et votre navigateur ne l'a pas envoyé. Autorisez les cookies pour ce site, ouvrez de nouveau la page et renvoyez le formulaire. Rien n'a encore été enregistré.",
        "open_again": "Ouvrir de nouveau la page",
        "bad_request_title": "La demande n'a pas pu être lue",
        "bad_request": "Votre navigateur a envoyé une demande que nous n'avons pas pu lire. Ouvrez de nouveau la page.",
        "not_found_title": "Page introuvable",
        "not_found": "Il n'y a rien à cette adresse. Vérifiez le lien que vous avez suivi.",
        "server_error_title": "Une erreur s'est produite de notre côté",
        "server_error": "La page n'a pas pu être affichée. Réessayez dans quelques minutes.",
    },
    "es": {
        "title": "Su opinión",
        "send": "Enviar mi respuesta",
        "comment_optional": "opcional",
        "thanks_title": "Gracias",
        "thanks": "Gracias por su respuesta. Nos ayuda a mejorar.",
        "answered_title": "Ya respondida",
        "answered": "Esta encuesta ya ha sido respondida. ¡Gracias!",
        "expired_title": "Esta encuesta ha terminado",
        "expired": "El enlace ha caducado. Gracias por su interés.",
        "invalid_title": "Este enlace no funciona",
        "invalid": "El enlace está incompleto o ha sido modificado. Use el enlace de su mensaje.",
        "opt_out": "No enviarme más encuestas",
        "opt_out_title": "No más encuestas",
        "opt_out_done": "No recibirá más encuestas de satisfacción.",
        "opt_out_confirm": "No enviarme más encuestas",
        "low": "Nada probable",
        "high": "Muy probable",
        "csat_low": "Muy insatisfecho",
        "csat_high": "Muy satisfecho",
        "ces_low": "Totalmente en desacuerdo",
        "ces_high": "Totalmente de acuerdo",
        "comment_label": "Su comentario",
        "errors_title": "Revise su respuesta.",
        "opt_out_intro": "Dejará de recibir nuestras encuestas de satisfacción. Seguirá recibiendo los mensajes sobre sus servicios.",
        "opt_out_keep": "Volver a la encuesta",
        "choose": "Elija una puntuación.",
        "subject": "¿Qué tal lo hicimos?",
        "reminder_subject": "Recordatorio: ¿qué tal lo hicimos?",
        "greeting": "Hola {name}:",
        "invite": "Nos gustaría saber su opinión. Responder lleva menos de un minuto:",
        "answer_now": "Responder ahora",
        "expires": "El enlace es válido hasta el {date}.",
        "unsubscribe": "No más encuestas: {link}",
        "csrf_title": "No se pudo enviar el formulario",
        "csrf": "Para proteger sus datos, esta página necesita una cookie y su navegador no la envió. Permita las cookies para este sitio, abra de nuevo la página y vuelva a enviar el formulario. Todavía no se ha guardado nada.",
        "open_again": "Abrir de nuevo la página",
        "bad_request_title": "No se pudo leer la solicitud",
        "bad_request": "Su navegador envió una solicitud que no pudimos leer. Abra de nuevo la página.",
        "not_found_title": "Página no encontrada",
        "not_found": "No hay nada en esta dirección. Compruebe el enlace que ha seguido.",
        "server_error_title": "Se produjo un error por nuestra parte",
        "server_error": "No se pudo mostrar la página. Inténtelo de nuevo en unos minutos.",
    },
}

# The wording a new survey starts with, per kind; staff adapt it in the survey's form.
DEFAULT_QUESTIONS = {
    "nps": {
        "en": "How likely are you to recommend us to a friend or colleague?",
        "de": "Wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen empfehlen?",
        "fr": "Quelle est la probabilité que vous nous recommandiez à un ami ou un collègue ?",
        "es": "¿Qué probabilidad hay de que nos recomiende a un amigo o colega?",
    },
    "csat": {
        "en": "How satisfied are you with how we handled your request?",
        "de": "Wie zufrieden sind Sie mit der Bearbeitung Ihres Anliegens?",
        "fr": "Êtes-vous satisfait(e) du traitement de votre demande ?",
        "es": "¿Qué tan satisfecho está con la gestión de su solicitud?",
    },
    "ces": {
        "en": "We made it easy for me to handle my request.",
        "de": "Es war einfach, mein Anliegen zu erledigen.",
        "fr": "Il a été facile de traiter ma demande.",
        "es": "Fue fácil resolver mi solicitud.",
    },
}
DEFAULT_COMMENT = {
    "en": "What is the main reason for your answer?",
    "de": "Was ist der wichtigste Grund für Ihre Antwort?",
    "fr": "Quelle est la raison principale de votre réponse ?",
    "es": "¿Cuál es el motivo principal de su respuesta?",
}


def browser_language(accept_language: str) -> str:
    """The first language of an Accept-Language header that the pages speak, else English."""
    return languages.browser_language(accept_language, PAGE)


def page_text(language: str) -> dict[str, str]:
    return {**PAGE["en"], **PAGE.get(language.split("-")[0], {})}


def scale_ends(kind: str, language: str) -> tuple[str, str]:
    """The words under the lowest and the highest score of a survey kind's scale."""
    words = page_text(language)
    if kind == "nps":
        return words["low"], words["high"]
    return words[f"{kind}_low"], words[f"{kind}_high"]


def default_texts(kind: str) -> dict[str, dict]:
    return {
        language: {"question": question, "comment": DEFAULT_COMMENT[language], "follow_ups": []}
        for language, question in DEFAULT_QUESTIONS[kind].items()
    }
