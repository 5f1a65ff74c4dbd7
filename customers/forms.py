"""Staff UI forms. They check the shape of the input; the services decide what is allowed."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.forms import ServiceCheckedForm
from crm.lists import PagedFilterForm
from customers.models import (
    CommunicationPreferences,
    Consent,
    ContactMedium,
    Customer,
    Interaction,
    LatestScores,
    Partner,
    Party,
    Product,
)
from customers.normalization import normalize_email, normalize_phone
from customers.selectors import SCORE_SORTS, SORT_LABELS
from customers.services import ContactMediumInput, PartyInput
from customers.services.preferences import PREFERENCE_FIELDS, contact_window_check

User = get_user_model()

LANGUAGES = [
    ("en", "English"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("it", "Italian"),
    ("nl", "Dutch"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("tr", "Turkish"),
]


def apply_service_error(form: forms.Form, error: ValidationError, field_map=None) -> None:
    """Show a service's ValidationError on the form field it names, or above the form."""
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            target = field_map.get(field, field)
            form.add_error(target if target in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


def churn_risk_filter_field() -> forms.TypedChoiceField:
    """The churn risk filter of the customer list and the retention work list."""
    return forms.TypedChoiceField(
        required=False,
        coerce=float,
        empty_value=None,
        choices=[
            ("", "Any churn risk"),
            ("0.3", "Churn risk 30 % or more"),
            ("0.5", "Churn risk 50 % or more"),
            ("0.7", "Churn risk 70 % or more"),
        ],
        label="Churn risk",
    )


class CustomerFilterForm(PagedFilterForm):
    q = forms.CharField(
        required=False,
        label="Search",
        widget=forms.SearchInput(
            attrs={"placeholder": "Name, customer number, e-mail or phone", "autofocus": True}
        ),
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status"), *Customer.Status.choices]
    )
    segment = forms.ChoiceField(
        required=False, choices=[("", "Any segment"), *Customer.Segment.choices]
    )
    partner = forms.ModelChoiceField(
        required=False, queryset=Partner.objects.order_by("name"), empty_label="Any partner"
    )
    manager = forms.ModelChoiceField(
        required=False,
        queryset=User.objects.filter(is_active=True, is_staff=True).order_by("username"),
        empty_label="Any account manager",
        label="Account manager",
    )
    value_segment = forms.ChoiceField(
        required=False,
        choices=[("", "Any value"), *LatestScores.ValueSegment.choices],
        label="Value segment",
    )
    credit_rating = forms.ChoiceField(
        required=False,
        choices=[("", "Any credit rating"), *LatestScores.CreditRating.choices],
        label="Credit rating",
    )
    churn_at_least = churn_risk_filter_field()
    sort = forms.ChoiceField(required=False, choices=list(SORT_LABELS.items()))

    # What the list filters and sorts by the scores: only for those who may see them.
    SCORE_FILTERS = ("value_segment", "credit_rating", "churn_at_least")

    @classmethod
    def for_user(cls, data, *, user) -> "CustomerFilterForm":
        """The filter bar ``user`` may use: score filters and sorts only with the scores."""
        form = cls(data)
        if not user.has_perm("customers.view_latestscores"):
            for name in cls.SCORE_FILTERS:
                del form.fields[name]
            form.fields["sort"].choices = [
                (sort, label)
                for sort, label in form.fields["sort"].choices
                if sort not in SCORE_SORTS
            ]
        return form

    @staticmethod
    def selector_filters(cleaned: dict) -> dict:
        """Cleaned filters as ``selectors.customer_list_queryset`` takes them."""
        return {
            "q": cleaned.get("q", ""),
            "status": cleaned.get("status", ""),
            "segment": cleaned.get("segment", ""),
            "partner_id": cleaned["partner"].pk if cleaned.get("partner") else None,
            "account_manager_id": cleaned["manager"].pk if cleaned.get("manager") else None,
            "value_segment": cleaned.get("value_segment", ""),
            "credit_rating": cleaned.get("credit_rating", ""),
            "churn_at_least": cleaned.get("churn_at_least"),
            "sort": cleaned.get("sort") or "newest",
        }


class PartyFieldsForm(forms.Form):
    """The party's own fields, as a person's or an organisation's; the services say which
    apply to which kind."""

    title = forms.CharField(required=False, max_length=20)
    given_name = forms.CharField(required=False, max_length=100)
    family_name = forms.CharField(required=False, max_length=100)
    birth_date = forms.DateField(required=False, widget=DateInput)
    national_id = forms.CharField(required=False, max_length=40, label="National id")
    legal_name = forms.CharField(required=False, max_length=200)
    trading_name = forms.CharField(required=False, max_length=200)
    registration_number = forms.CharField(required=False, max_length=40)


class LeadForm(PartyFieldsForm):
    field_order = ["kind"]

    kind = forms.ChoiceField(choices=Party.Kind.choices, initial=Party.Kind.INDIVIDUAL)
    segment = forms.ChoiceField(choices=Customer.Segment.choices)
    lead_source = forms.CharField(
        required=False, max_length=40, help_text="Campaign, referral, walk-in …"
    )
    language = forms.ChoiceField(choices=LANGUAGES, initial="en")
    email = forms.CharField(required=False, label="E-mail", max_length=320)
    mobile = forms.CharField(required=False, max_length=40)
    phone = forms.CharField(required=False, label="Landline", max_length=40)
    street = forms.CharField(required=False, max_length=200)
    postcode = forms.CharField(required=False, max_length=20)
    city = forms.CharField(required=False, max_length=100)
    country = forms.CharField(required=False, max_length=2, help_text="Two letters, e.g. GB")
    # Ids of existing customers the user has confirmed to be other people.
    confirmed_distinct = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_confirmed_distinct(self) -> list[int]:
        raw = self.cleaned_data["confirmed_distinct"]
        try:
            return [int(part) for part in raw.split(",") if part.strip()]
        except ValueError:
            raise ValidationError("The confirmation is broken; check the matches again.") from None

    def clean_email(self):
        value = self.cleaned_data["email"]
        return normalize_email(value) if value.strip() else ""

    def clean_mobile(self):
        value = self.cleaned_data["mobile"]
        return normalize_phone(value) if value.strip() else ""

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        return normalize_phone(value) if value.strip() else ""

    def clean(self):
        data = super().clean()
        if (
            data.get("kind") == Party.Kind.INDIVIDUAL
            and not data.get("family_name", "").strip()
            and not data.get("given_name", "").strip()
        ):
            self.add_error(
                "family_name", "A person needs a name: a family name, a given name or both."
            )
        if data.get("kind") == Party.Kind.ORGANIZATION and not data.get("legal_name", "").strip():
            self.add_error("legal_name", "An organisation needs its legal name.")
        street = data.get("street", "").strip()
        locality = data.get("city", "").strip() or data.get("postcode", "").strip()
        if street and not locality:
            self.add_error("city", "Give the city or the postcode.")
        elif locality and not street:
            self.add_error("street", "Give the street.")
        # A way of reaching them that was given but is wrong has its own error; this one is
        # only for a form that gives none at all.
        reach = ("email", "mobile", "phone", "street")
        if not any(data.get(name) or self.has_error(name) for name in reach):
            raise ValidationError("Give at least one way to reach the customer.")
        return data

    def party_input(self) -> PartyInput:
        data = self.cleaned_data
        media = []
        for kind, name in (
            (ContactMedium.Kind.EMAIL, "email"),
            (ContactMedium.Kind.MOBILE, "mobile"),
            (ContactMedium.Kind.PHONE, "phone"),
        ):
            if data[name]:
                media.append(ContactMediumInput(kind=kind, value=data[name], is_preferred=True))
        if data["street"]:
            media.append(
                ContactMediumInput(
                    kind=ContactMedium.Kind.POSTAL,
                    street=data["street"],
                    postcode=data["postcode"],
                    city=data["city"],
                    country=data["country"],
                    is_preferred=True,
                )
            )
        return PartyInput(
            kind=data["kind"],
            title=data["title"],
            given_name=data["given_name"],
            family_name=data["family_name"],
            birth_date=data["birth_date"],
            national_id=data["national_id"],
            legal_name=data["legal_name"],
            trading_name=data["trading_name"],
            registration_number=data["registration_number"],
            contact_media=media,
        )


class ProfileForm(PartyFieldsForm):
    segment = forms.ChoiceField(choices=Customer.Segment.choices)
    payment_method = forms.ChoiceField(
        required=False, choices=[("", "—"), *Customer.PaymentMethod.choices]
    )
    account_manager = forms.ModelChoiceField(
        required=False,
        queryset=User.objects.filter(is_active=True, is_staff=True).order_by("username"),
    )
    lead_source = forms.CharField(required=False, max_length=40)
    name = forms.CharField(
        label="Customer name",
        required=False,
        max_length=220,
        help_text="Only when the customer is known by another name than the party's, "
        "e.g. a site or a department.",
    )
    description = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    INDIVIDUAL_ONLY = ("title", "given_name", "family_name", "birth_date", "national_id")
    ORGANIZATION_ONLY = ("legal_name", "trading_name", "registration_number")

    def __init__(self, *args, customer: Customer, **kwargs):
        party = customer.party
        initial = {
            name: getattr(party, name) for name in self.INDIVIDUAL_ONLY + self.ORGANIZATION_ONLY
        }
        initial.update(
            segment=customer.segment,
            payment_method=customer.payment_method,
            account_manager=customer.account_manager,
            lead_source=customer.lead_source,
            name=customer.name,
            description=customer.description,
        )
        super().__init__(*args, initial=initial, **kwargs)
        hidden = self.ORGANIZATION_ONLY if party.is_individual else self.INDIVIDUAL_ONLY
        for name in hidden:
            del self.fields[name]

    def changes(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items()}


class ContactMediumForm(forms.Form):
    kind = forms.ChoiceField(choices=ContactMedium.Kind.choices)
    value = forms.CharField(
        required=False,
        max_length=320,
        help_text="E-mail, phone number, web address or handle. Not needed for a postal address.",
    )
    label = forms.CharField(required=False, max_length=40)
    street = forms.CharField(required=False, max_length=200)
    postcode = forms.CharField(required=False, max_length=20)
    city = forms.CharField(required=False, max_length=100)
    country = forms.CharField(
        required=False,
        max_length=2,
        help_text="Two letters, e.g. GB. A phone number given without its country code is "
        "read as a number of this country.",
    )
    is_preferred = forms.BooleanField(required=False, label="Preferred")
    is_verified = forms.BooleanField(required=False, label="Verified")
    valid_from = forms.DateField(required=False, widget=DateInput)
    valid_to = forms.DateField(required=False, widget=DateInput)

    def clean(self):
        data = super().clean()
        if data.get("kind") != ContactMedium.Kind.POSTAL and not data.get("value", "").strip():
            self.add_error("value", "This field is required.")
        return data

    def medium_input(self) -> ContactMediumInput:
        return ContactMediumInput(**self.cleaned_data)

    @classmethod
    def initial_from(cls, contact: ContactMedium) -> dict:
        return {
            name: getattr(contact, name)
            for name in cls.base_fields
            if not (name == "value" and contact.kind == ContactMedium.Kind.POSTAL)
        }


class PreferencesForm(ServiceCheckedForm):
    language = forms.ChoiceField(choices=LANGUAGES)
    service_checked_fields = ("contact_time_from", "contact_time_to")

    def service_check(self, data: dict) -> None:
        contact_window_check(
            time_from=data.get("contact_time_from"), time_to=data.get("contact_time_to")
        )

    class Meta:
        model = CommunicationPreferences
        fields = list(PREFERENCE_FIELDS)  # what the service writes, no more
        widgets = {"contact_time_from": TimeInput, "contact_time_to": TimeInput}
        help_texts = {
            "contact_time_to": "An end before the start runs overnight, e.g. 18:00 to 09:00. "
            "Leave both times empty for any time of day."
        }


class ConsentForm(forms.Form):
    channel = forms.ChoiceField(choices=Consent.Channel.choices)
    purpose = forms.ChoiceField(choices=Consent.Purpose.choices)
    granted = forms.TypedChoiceField(
        choices=[("yes", "Granted"), ("no", "Refused / withdrawn")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        label="Answer",
    )
    source = forms.ChoiceField(choices=Consent.Source.choices, initial=Consent.Source.CALL_CENTRE)


class InteractionForm(forms.Form):
    channel = forms.ChoiceField(choices=Interaction.Channel.choices)
    direction = forms.ChoiceField(choices=Interaction.Direction.choices)
    kind = forms.ChoiceField(choices=Interaction.Kind.choices, label="Type")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    outcome = forms.ChoiceField(choices=Interaction.Outcome.choices)
    occurred_at = forms.DateTimeField(
        required=False,
        label="When",
        help_text="Leave empty for now.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class TransitionForm(forms.Form):
    reason = forms.ChoiceField(required=False)
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, transition, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "—"), *transition.reasons]
        self.fields["reason"].required = transition.reason_required


# --- Partners -----------------------------------------------------------------------------------


# --- Staff to give work to, open interactions, products -------------------------------------


def contract_term_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        min_value=0,
        max_value=60,
        label="Contract term (months)",
        help_text="0 for month-to-month.",
        **kwargs,
    )


class StaffChoiceField(forms.ModelChoiceField):
    """A colleague, shown by name and user name."""

    def label_from_instance(self, user):
        name = user.get_full_name()
        return f"{name} ({user.get_username()})" if name else user.get_username()


class OpenInteractionFilterForm(PagedFilterForm):
    visible_labels = True

    show = forms.ChoiceField(
        required=False,
        label="Show",
        choices=[("mine", "Mine"), ("unassigned", "Unassigned"), ("all", "Everyone's")],
    )
    kind = forms.ChoiceField(
        required=False, label="Type", choices=[("", "Any type"), *Interaction.Kind.choices]
    )


class InteractionResolveForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[
            (Interaction.Outcome.RESOLVED, "Resolved"),
            (Interaction.Outcome.NO_ACTION, "No action needed"),
        ],
        initial=Interaction.Outcome.RESOLVED,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was done; it shows on the customer's timeline.",
    )


class OwnerForm(forms.Form):
    """Give a piece of work to a colleague chosen among ``staff``."""

    owner = StaffChoiceField(queryset=None, label="Give to", empty_label="Choose a colleague")

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff


class SubscriptionAddForm(forms.Form):
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(is_active=True).order_by("family", "name"),
        empty_label="Choose a product",
    )
    start_date = forms.DateField(widget=DateInput, initial=timezone.localdate)
    monthly_charge = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        help_text="Leave empty for the catalogue's list price.",
    )
    contract_term_months = contract_term_field(initial=0)
    service_id = forms.CharField(
        required=False,
        max_length=40,
        label="Service id",
        help_text="MSISDN, line or account id in the network.",
    )


class SubscriptionChangeForm(forms.Form):
    monthly_charge = forms.DecimalField(min_value=0, max_digits=9, decimal_places=2)
    contract_term_months = contract_term_field()
    service_id = forms.CharField(required=False, max_length=40, label="Service id")

    @classmethod
    def initial_from(cls, subscription) -> dict:
        return {name: getattr(subscription, name) for name in cls.base_fields}


class SubscriptionEndForm(forms.Form):
    end_date = forms.DateField(widget=DateInput, initial=timezone.localdate, label="Ends on")
