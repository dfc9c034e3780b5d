//! The parties of an invoice as frozen at issue (issue 27, finding 8): an issued invoice is an
//! immutable document, so the seller's and buyer's legal details (name, address, SIRET, VAT
//! number, IBAN, electronic address) are copied onto it when it is numbered; its XML and PDF, and
//! their SHA-256, never change when an organisation renames itself or moves.

use serde::{Deserialize, Serialize};

use super::facturx;
use crate::db::DbConnection;
use crate::error::{Error, Result};
use crate::organization::legal::{self, LegalIdentity};

/// One party's details as printed on the document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FrozenParty {
    pub id: i64,
    pub name: String,
    pub siret: Option<String>,
    pub vat_id: Option<String>,
    pub vat_exemption: Option<String>,
    pub address_line: Option<String>,
    pub postcode: String,
    pub city: String,
    pub country: String,
    pub iban: Option<String>,
    pub bic: Option<String>,
    pub electronic_address: Option<String>,
}

/// Both parties, stored as JSON on the invoice row.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FrozenParties {
    pub seller: FrozenParty,
    pub buyer: FrozenParty,
}

impl FrozenParties {
    /// The JSON stored on the invoice.
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string(self).map_err(|e| Error::Internal(format!("parties: {e}")))
    }

    /// Reads the stored JSON back.
    pub fn from_json(json: &str) -> Result<FrozenParties> {
        serde_json::from_str(json).map_err(|e| Error::Internal(format!("stored parties: {e}")))
    }
}

impl FrozenParty {
    /// The party as the CII writer takes it.
    pub fn as_party(&self) -> facturx::Party<'_> {
        facturx::Party {
            id: self.id,
            name: &self.name,
            siret: self.siret.as_deref(),
            vat_id: self.vat_id.as_deref(),
            electronic_address: self
                .electronic_address
                .as_deref()
                .and_then(|a| legal::electronic_scheme(a).map(|scheme| (a, scheme))),
            address: self.address_line.as_deref(),
            postcode: &self.postcode,
            city: &self.city,
            country: &self.country,
        }
    }

    /// The seller's VAT exemption mention (BT-120), or the network's default one.
    pub fn exemption_reason(&self) -> &str {
        self.vat_exemption
            .as_deref()
            .unwrap_or(facturx::VAT_EXEMPTION_REASON)
    }
}

/// A party's details now: its legal identity when it has one, else its name, street line and
/// commune; with the identity itself, for the checks made at issue.
pub fn current(
    conn: &mut DbConnection,
    organization_id: i64,
) -> Result<(FrozenParty, Option<LegalIdentity>)> {
    let org = crate::organization::store::find_organization(conn, organization_id)?
        .ok_or_else(|| Error::Internal("invoice party without organisation".into()))?;
    let identity = legal::find(conn, organization_id)?;
    let party = match &identity {
        Some(id) => {
            let d = &id.details;
            FrozenParty {
                id: org.id,
                name: org.name,
                siret: Some(d.siret.clone()),
                vat_id: d.vat_id.clone(),
                vat_exemption: d.vat_exemption.clone(),
                address_line: Some(d.address_line.clone()),
                postcode: d.postcode.clone(),
                city: d.city.clone(),
                country: "FR".into(),
                iban: d.iban.clone(),
                bic: d.bic.clone(),
                electronic_address: d.electronic_address.clone(),
            }
        }
        None => {
            let commune = crate::territory::store::find(conn, &org.commune_insee)?
                .ok_or_else(|| Error::Internal("organisation without commune".into()))?;
            FrozenParty {
                id: org.id,
                name: org.name,
                siret: None,
                vat_id: None,
                vat_exemption: None,
                address_line: org.address,
                postcode: commune.postcode,
                city: commune.name,
                country: "FR".into(),
                iban: None,
                bic: None,
                electronic_address: None,
            }
        }
    };
    Ok((party, identity))
}
