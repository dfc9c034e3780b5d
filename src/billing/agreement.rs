//! The loan agreement (*convention de prêt*): what the host of a travelling exhibition signs with
//! its lender today, drawn from what the service already knows — the two parties' legal identity,
//! the resource and its copy with every component, the days of delivery, use and pick-up, the
//! value to insure, the deposit, the price with its subsidy and the real cost of the road — so
//! that nobody types it again into a word processor.
//!
//! It exists once the producer said yes: a request may still be refused, so a convention would
//! promise what nobody agreed to (409 `agreement_not_ready`).

use super::model::{LineKind, Quote};
use super::parties::{self, FrozenParty};
use super::quote::{self, LoanBilling};
use crate::access::Principal;
use crate::booking::store::BookingRow;
use crate::booking::BookingStatus;
use crate::catalogue::store::{self as catalogue, ComponentRow, CopyRow, ResourceRow};
use crate::db::DbConnection;
use crate::error::{Code, Error, Result};
use crate::pdf::{self, Layout, MARGIN, PAGE_WIDTH};

/// Everything the convention prints.
pub struct Agreement {
    pub booking: BookingRow,
    pub resource: ResourceRow,
    pub copy: CopyRow,
    pub components: Vec<ComponentRow>,
    /// The lender: the producer owning the copy.
    pub lender: FrozenParty,
    /// The borrower: the venue.
    pub borrower: FrozenParty,
    pub quote: Quote,
}

/// Whether a booking in this status has an agreement: approved, on the road, at the venue, back.
pub fn has_agreement(status: BookingStatus) -> bool {
    use BookingStatus as S;
    matches!(
        status,
        S::Approved | S::InTransit | S::Delivered | S::Returned | S::Closed
    )
}

/// The agreement of a booking, for its venue, its producer and the agency (others: 404); 409
/// `agreement_not_ready` before approval or after a refusal, cancellation or expiry.
pub fn agreement(
    conn: &mut DbConnection,
    billing: &LoanBilling,
    p: &Principal,
    booking_id: i64,
) -> Result<Agreement> {
    let not_found = || Error::NotFound(format!("booking {booking_id}"));
    let booking = crate::booking::store::find_booking(conn, booking_id)?.ok_or_else(not_found)?;
    let copy = catalogue::find_copy(conn, booking.copy_id)?
        .ok_or_else(|| Error::Internal(format!("booking {booking_id} without its copy")))?;
    crate::access::policy::read_booking(p, booking.venue_id, copy.producer_id)
        .map_err(|_| not_found())?;
    if !has_agreement(booking.status) {
        return Err(Error::conflict(
            Code::AgreementNotReady,
            format!(
                "booking {booking_id} is {}: its agreement exists once the producer approved it",
                booking.status.as_str()
            ),
        ));
    }
    let resource = catalogue::find_resource(conn, booking.resource_id)?
        .ok_or_else(|| Error::Internal(format!("booking {booking_id} without its resource")))?;
    let components = catalogue::list_components(conn, resource.id)?;
    let lender = parties::current(conn, copy.producer_id)?.0;
    let borrower = parties::current(conn, booking.venue_id)?.0;
    let quote = quote::booking_quote(conn, billing, &booking)?;
    Ok(Agreement {
        booking,
        resource,
        copy,
        components,
        lender,
        borrower,
        quote,
    })
}

const RIGHT: f32 = PAGE_WIDTH - MARGIN;
const COLUMN: f32 = 310.0;

/// A party as the convention names it: name, address, SIRET, and the role it takes.
fn party_paragraph(party: &FrozenParty, role: &str) -> String {
    let mut text = party.name.clone();
    if let Some(street) = &party.address_line {
        text.push_str(&format!(", {street}"));
    }
    let city = format!("{} {}", party.postcode, party.city);
    if !city.trim().is_empty() {
        text.push_str(&format!(", {}", city.trim()));
    }
    if let Some(siret) = &party.siret {
        text.push_str(&format!(", SIRET {siret}"));
    }
    text.push_str(&format!(", ci-après « {role} »."));
    text
}

fn article(l: &mut Layout, title: &str) {
    l.down(8.0);
    l.keep(40.0);
    l.line(11.0, true, title);
    l.down(2.0);
}

/// A count with its noun in the singular or the plural: "1 caisse", "3 caisses".
fn plural(n: i64, one: &str, many: &str) -> String {
    if n <= 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The convention laid out on A4 pages, in French.
pub fn layout(a: &Agreement) -> Layout {
    let b = &a.booking;
    let r = &a.resource;
    let q = &a.quote;
    let date = crate::page::date;
    let euros = crate::page::euros;
    let mut l = Layout::new();

    l.line(18.0, true, "CONVENTION DE PRÊT");
    l.down(4.0);
    l.paragraph(
        11.0,
        false,
        &format!(
            "Ressource itinérante « {} » — réservation n° {}",
            r.title, b.id
        ),
    );
    l.down(10.0);
    l.line(10.0, true, "Entre les soussignés :");
    l.paragraph(10.0, false, &party_paragraph(&a.lender, "le prêteur"));
    l.down(4.0);
    l.line(10.0, true, "Et :");
    l.paragraph(10.0, false, &party_paragraph(&a.borrower, "l'emprunteur"));
    l.down(4.0);
    l.paragraph(10.0, false, "Il est convenu ce qui suit.");

    article(&mut l, "Article 1 — Objet");
    l.paragraph(
        10.0,
        false,
        &format!(
            "Le prêteur met à la disposition de l'emprunteur la ressource « {} », exemplaire \
             {}, pour la présenter gratuitement à son public dans ses locaux.",
            r.title, a.copy.asset_tag
        ),
    );
    let mut measures = Vec::new();
    if let Some(crates) = r.crates {
        measures.push(plural(i64::from(crates), "caisse", "caisses"));
    }
    if let Some(kg) = r.weight_kg {
        measures.push(format!("{} kg", crate::page::decimal(kg, 0)));
    }
    if let Some(m3) = r.volume_m3 {
        measures.push(format!("{} m³", crate::page::decimal(m3, 2)));
    }
    if let Some(m2) = r.floor_area_m2 {
        measures.push(format!("surface au sol {} m²", crate::page::decimal(m2, 0)));
    }
    if !measures.is_empty() {
        l.paragraph(
            10.0,
            false,
            &format!("Encombrement : {}.", measures.join(", ")),
        );
    }
    if !a.components.is_empty() {
        l.paragraph(10.0, false, "Elle comprend :");
        for c in &a.components {
            l.keep(13.0);
            l.paragraph_at(
                MARGIN + 12.0,
                RIGHT - MARGIN - 12.0,
                10.0,
                false,
                &format!("– {} × {}", c.quantity, c.name),
            );
        }
    }

    article(&mut l, "Article 2 — Calendrier");
    let mut calendar = format!(
        "Livraison le {} ; utilisation du {} au {} ; enlèvement le {}.",
        date(b.delivery_on),
        date(b.starts_on),
        date(b.ends_on),
        date(b.pickup_on)
    );
    if r.setup_days > 0 {
        calendar.push_str(&format!(
            " Le montage demande {} avant le premier jour d'utilisation, le démontage autant \
             après le dernier.",
            plural(i64::from(r.setup_days), "jour ouvré", "jours ouvrés")
        ));
    }
    l.paragraph(10.0, false, &calendar);
    l.paragraph(
        10.0,
        false,
        "L'emprunteur est présent ou représenté à la livraison et à l'enlèvement, aux jours \
         convenus, et tient la ressource prête à repartir, emballée comme il l'a reçue.",
    );

    article(&mut l, "Article 3 — Conditions financières");
    for line in &q.lines {
        l.keep(14.0);
        let parts = pdf::wrap(&line.label, COLUMN + 80.0 - MARGIN, 10.0, false);
        for (i, part) in parts.iter().enumerate() {
            l.text_at(MARGIN + 12.0, 10.0, false, part);
            if i == 0 {
                l.right_at(RIGHT, 10.0, false, &euros(line.amount_cents));
            }
            l.down(13.0);
        }
    }
    l.keep(16.0);
    l.text_at(
        MARGIN + 12.0,
        10.0,
        true,
        "Total à la charge de l'emprunteur",
    );
    l.right_at(RIGHT, 10.0, true, &euros(q.total_cents));
    l.down(16.0);
    let transport_paid = q
        .lines
        .iter()
        .filter(|line| line.kind == LineKind::Transport)
        .map(|line| line.amount_cents)
        .sum::<i64>();
    l.paragraph(
        10.0,
        false,
        &format!(
            "Le transport aller et retour coûte {} ; l'emprunteur en paie {} % ({}), le réseau \
             prend en charge le reste ({}).",
            euros(q.transport_cost_cents),
            q.transport_share_percent,
            euros(transport_paid),
            euros(q.transport_cost_cents - transport_paid)
        ),
    );
    if q.deposit_cents > 0 {
        l.paragraph(
            10.0,
            false,
            &format!(
                "Un dépôt de garantie de {} est demandé ; il n'est pas encaissé et est restitué \
                 au retour de la ressource complète et en bon état.",
                euros(q.deposit_cents)
            ),
        );
    }
    l.paragraph(
        10.0,
        false,
        "La facture est émise par le prêteur après le retour de la ressource, au format \
         électronique Factur-X ; elle ajoute, le cas échéant, les pièces manquantes ou abîmées \
         à leur coût de remplacement.",
    );

    article(&mut l, "Article 4 — Assurance");
    let value = match r.production_cost_cents {
        Some(cents) => format!("pour une valeur de {}", euros(cents)),
        None => "pour la valeur que le prêteur lui communique avant la livraison".to_string(),
    };
    l.paragraph(
        10.0,
        false,
        &format!(
            "L'emprunteur assure la ressource « de clou à clou », de la livraison à \
             l'enlèvement, contre le vol, la perte, l'incendie, le dégât des eaux et la \
             dégradation, {value}. Il en fournit l'attestation au prêteur avant la livraison."
        ),
    );

    article(&mut l, "Article 5 — Conditions d'utilisation");
    for rule in [
        "La ressource est présentée dans un lieu clos, couvert, à l'abri de l'humidité, du \
         soleil direct et des sources de chaleur, et n'est ni prêtée ni déplacée à un tiers.",
        "Elle est montée et démontée selon les indications du prêteur ; aucune pièce n'est \
         modifiée, collée, percée ou réparée par l'emprunteur.",
        "Toute présentation mentionne le prêteur ; l'accès du public est gratuit.",
        "À l'arrivée et au départ, l'emprunteur constate l'état de chaque pièce sur le portail \
         Itinérance (constat d'arrivée et de retour) ; tout incident est signalé sans délai.",
        "Après le prêt, l'emprunteur répond à l'évaluation (public accueilli, avis).",
    ] {
        l.keep(14.0);
        l.paragraph(10.0, false, &format!("– {rule}"));
    }

    article(&mut l, "Article 6 — Annulation");
    l.paragraph(
        10.0,
        false,
        "Chaque partie peut annuler le prêt avant la livraison en le signalant sur le portail ; \
         l'autre partie en est aussitôt avertie. Aucune somme n'est due pour un prêt annulé \
         avant la livraison.",
    );

    // Signatures, side by side.
    l.down(16.0);
    l.keep(200.0);
    l.line(10.0, false, "Fait en deux exemplaires originaux.");
    l.down(10.0);
    let top = l.y();
    for (x, who, name) in [
        (MARGIN, "Pour le prêteur", &a.lender.name),
        (COLUMN, "Pour l'emprunteur", &a.borrower.name),
    ] {
        l.set_y(top);
        l.text_at(x, 10.0, true, who);
        l.down(13.0);
        for part in pdf::wrap(name, COLUMN - MARGIN - 20.0, 10.0, false) {
            l.text_at(x, 10.0, false, &part);
            l.down(13.0);
        }
        l.down(6.0);
        l.text_at(x, 10.0, false, "Nom et qualité :");
        l.down(26.0);
        l.text_at(x, 10.0, false, "À                              , le");
        l.down(26.0);
        l.text_at(x, 10.0, false, "Signature :");
        l.down(60.0);
    }
    l
}

/// The convention as a PDF/A-3b file.
pub fn render(a: &Agreement) -> Result<Vec<u8>> {
    let title = format!("Convention de prêt, réservation {}", a.booking.id);
    pdf::render(
        &layout(a),
        &pdf::Info {
            title: &title,
            author: &a.lender.name,
            date: a.booking.delivery_on,
        },
        None,
    )
}

/// The file name a download gets: `convention-pret-541.pdf`.
pub fn file_name(a: &Agreement) -> String {
    format!("convention-pret-{}.pdf", a.booking.id)
}
