"""A partner's client, generated from openapi/openapi.json by openapi-python-client, driven
against a live server with the demo network: every call must come back as the model the
document promises. Generated enums raise ValueError on any value the document does not list, and
generated dates/timestamps are parsed strictly, so a lie in the contract fails here.

Usage: python generated_client.py BASE_URL   (the package `itinerance_client` on sys.path)
"""

import datetime
import sys

from itinerance_client import AuthenticatedClient, Client
from itinerance_client.api.auth import create_api_key, list_api_keys, login, me
from itinerance_client.api.bookings import (
    availability,
    booking_action,
    booking_history,
    create_booking,
    get_booking,
    list_bookings,
)
from itinerance_client.api.catalogue import get_copy, get_resource, list_components, list_copies, search_resources
from itinerance_client.api.condition import copy_wear, fleet, list_reports
from itinerance_client.api.organizations import get_organization, list_organizations, list_users
from itinerance_client.api.system import health
from itinerance_client.api.territory import get_commune, list_communes
from itinerance_client.api.transport import booking_legs, optimize_route
from itinerance_client import models as m

PASSWORD = "demo-itinerance"
checked = []


def expect(kind, value, what):
    """The call answered the documented success model (not a Problem, not None)."""
    if isinstance(kind, type) and not isinstance(value, kind):
        raise AssertionError(f"{what}: expected {kind.__name__}, got {type(value).__name__}: {value!r}")
    checked.append(what)
    return value


def session(base, email):
    anonymous = Client(base_url=base, raise_on_unexpected_status=True)
    token = expect(m.TokenResponse, login.sync(client=anonymous, body=m.LoginRequest(email=email, password=PASSWORD)), "login")
    assert token.token_type == "Bearer"
    return AuthenticatedClient(base_url=base, token=token.access_token, raise_on_unexpected_status=True)


def main(base):
    anonymous = Client(base_url=base, raise_on_unexpected_status=True)
    expect(m.Health, health.sync(client=anonymous), "GET /health")
    commune = expect(m.Commune, get_commune.sync("80021", client=anonymous), "GET /communes/80021")
    assert commune.class_ == m.CommuneClass.LARGE_CITY, commune.class_
    communes = list_communes.sync(client=anonymous, q="saint", limit=50)
    expect(list, communes, "GET /communes")
    assert {c.class_ for c in communes} >= {m.CommuneClass.VILLAGE}

    agency = session(base, "agence@demo.itinerance.fr")
    producer = session(base, "amiens@demo.itinerance.fr")
    venue = session(base, "bibliotheque@demo.itinerance.fr")

    agency_me = expect(m.Me, me.sync(client=agency), "GET /me (agency)")
    assert agency_me.organization.kind == m.OrgKind.AGENCY
    venue_me = expect(m.Me, me.sync(client=venue), "GET /me (venue)")
    producer_me = expect(m.Me, me.sync(client=producer), "GET /me (producer)")
    assert venue_me.organization.kind == m.OrgKind.VENUE

    orgs = expect(m.OrganizationPage, list_organizations.sync(client=agency, limit=100), "GET /organizations")
    assert {o.kind for o in orgs.items} >= {m.OrgKind.AGENCY, m.OrgKind.PRODUCER, m.OrgKind.VENUE}
    expect(m.Organization, get_organization.sync(venue_me.organization.id, client=venue), "GET /organizations/{id}")
    expect(list, list_users.sync(client=agency), "GET /users")
    key = expect(m.CreatedApiKey, create_api_key.sync(client=agency, body=m.NewApiKey(name="portail")), "POST /api-keys")
    assert isinstance(key.created_at, datetime.datetime) and key.created_at.tzinfo is not None
    expect(list, list_api_keys.sync(client=agency), "GET /api-keys")

    page = expect(m.ResourcePage, search_resources.sync(client=venue, producer_id=producer_me.organization.id, limit=50), "GET /resources")
    assert page.items, "the producer has resources"
    resources = [r for r in page.items if isinstance(r.audiences, list)]
    resource = expect(m.Resource, get_resource.sync(resources[0].id, client=venue), "GET /resources/{id}")
    assert resource.created_at.tzinfo is not None, "timestamps carry their zone"
    copies = expect(list, list_copies.sync(resource.id, client=producer), "GET /resources/{id}/copies")
    expect(m.Copy, get_copy.sync(copies[0].id, client=producer), "GET /copies/{id}")
    expect(list, list_components.sync(resource.id, client=producer), "GET /resources/{id}/components")

    horizon = datetime.date.today() + datetime.timedelta(days=60)
    free = expect(
        m.Availability,
        availability.sync(resource.id, client=venue, from_=horizon, to=horizon + datetime.timedelta(days=200)),
        "GET /resources/{id}/availability",
    )
    copy_id, start = next(
        (c.copy_id, p.from_ + datetime.timedelta(days=10))
        for c in free.copies
        for p in c.free
        if (p.to - p.from_).days >= 40
    )
    end = start + datetime.timedelta(days=6)
    booking = expect(
        m.Booking,
        create_booking.sync(
            client=venue,
            body=m.NewBooking(resource_id=resource.id, venue_id=venue_me.organization.id, starts_on=start, ends_on=end, copy_id=copy_id),
        ),
        "POST /bookings",
    )
    assert booking.status == m.BookingStatus.REQUESTED
    approved = expect(m.Booking, booking_action.sync(booking.id, m.BookingAction.APPROVE, client=producer, body=m.ActionNote(note="ok")), "POST /bookings/{id}/approve")
    assert approved.status == m.BookingStatus.APPROVED
    expect(m.Booking, get_booking.sync(booking.id, client=venue), "GET /bookings/{id}")
    expect(list, list_bookings.sync(client=venue, status=m.BookingStatus.APPROVED), "GET /bookings?status=")
    history = expect(list, booking_history.sync(booking.id, client=venue), "GET /bookings/{id}/history")
    assert len(history) == 2, history
    legs = expect(list, booking_legs.sync(booking.id, client=producer), "GET /bookings/{id}/legs")
    assert all(isinstance(leg.kind, m.LegKind) for leg in legs)

    fleet_rows = expect(list, fleet.sync(producer_me.organization.id, client=producer, sort=m.FleetSort.WEAR), "GET /producers/{id}/fleet")
    assert fleet_rows and all(isinstance(r.status, m.CopyStatus) for r in fleet_rows)
    expect(m.Wear, copy_wear.sync(copies[0].id, client=producer), "GET /copies/{id}/wear")
    expect(list, list_reports.sync(copies[0].id, client=producer), "GET /copies/{id}/condition-reports")

    route = expect(
        m.RouteAnswer,
        optimize_route.sync(
            client=agency,
            body=m.RouteRequest(
                depot=m.RoutePoint(latitude=49.894, longitude=2.296),
                stops=[m.RouteStop(id="a", latitude=50.63, longitude=3.06), m.RouteStop(id="b", latitude=50.29, longitude=2.78)],
                metric=m.Metric.HAVERSINE,
            ),
        ),
        "POST /routes/optimize",
    )
    assert sorted(route.order) == ["a", "b"]
    print(f"generated client: {len(checked)} calls deserialized as documented")


if __name__ == "__main__":
    main(sys.argv[1])
