//! The `itinerance` command: serve the API, run migrations, administer accounts.

#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

use std::net::TcpListener;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use itinerance::config::Config;
use itinerance::organization::service::{self, AgencySetup};

#[derive(Parser)]
#[command(
    name = "itinerance",
    version,
    about = "Logistics of a regional network lending itinerant science-culture resources"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (the default).
    Serve,
    /// Apply pending database migrations and load reference data, then exit.
    Migrate,
    /// Account administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Load the demo network of Hauts-de-France (idempotent: a second run adds nothing).
    DemoData {
        /// Do nothing when the database already has organisations.
        #[arg(long)]
        if_empty: bool,
    },
    /// Print the OpenAPI document generated from the code.
    Openapi,
    /// Write a consistent copy of the SQLite database to a new file, while the service runs
    /// (PostgreSQL: use pg_dump; see the README).
    Backup {
        /// The file to create (never overwritten).
        #[arg(long)]
        to: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an agency and its first administrator (does nothing if the e-mail exists).
    CreateAgency {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        /// INSEE code of the agency's commune (default: Lille).
        #[arg(long, default_value = "59350")]
        commune: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        print!("{}", itinerance::app::openapi_json());
        return ExitCode::SUCCESS;
    }
    let config = match Config::load() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("itinerance: {e}");
            return ExitCode::FAILURE;
        }
    };
    init_logging(&config.log);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config),
        Command::Migrate => itinerance::bootstrap(config)
            .map(|_| println!("database is up to date"))
            .map_err(|e| e.to_string()),
        Command::Admin {
            command:
                AdminCommand::CreateAgency {
                    name,
                    email,
                    password,
                    commune,
                },
        } => create_agency(config, &name, &email, &password, &commune),
        Command::DemoData { if_empty } => demo_data(config, if_empty),
        Command::Backup { to } => itinerance::db::backup(&config.effective_database_url(), &to)
            .map(|()| println!("backed up to {}", to.display())),
        Command::Openapi => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!(error = %message, "fatal");
            eprintln!("itinerance: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(filter: &str) {
    let targets: tracing_subscriber::filter::Targets = filter.parse().unwrap_or_else(|_| {
        tracing_subscriber::filter::Targets::new().with_default(tracing::Level::INFO)
    });
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(false)
                .with_writer(std::io::stderr),
        )
        .with(targets)
        .try_init();
}

fn serve(config: Config) -> Result<(), String> {
    let bind = config.bind.clone();
    if itinerance::jwt_secret_is_made_up(&config) {
        tracing::warn!(
            "DEVELOPMENT MODE: no ITINERANCE_JWT_SECRET given, a random one was made up; tokens \
             will not survive a restart nor work on another instance. Set ITINERANCE_JWT_SECRET \
             and ITINERANCE_MODE=production in production."
        );
        eprintln!("WARNING: development mode, made-up JWT secret (set ITINERANCE_JWT_SECRET)");
    }
    let state = itinerance::bootstrap(config).map_err(|e| e.to_string())?;
    let listener = TcpListener::bind(&bind).map_err(|e| format!("cannot listen on {bind}: {e}"))?;
    tracing::info!(
        bind,
        database = state.backend.as_str(),
        "serving; API docs at /docs/"
    );
    actix_web::rt::System::new().block_on(async move {
        itinerance::app::server(state, listener)
            .map_err(|e| e.to_string())?
            .await
            .map_err(|e| e.to_string())
    })?;
    tracing::info!("stopped");
    Ok(())
}

fn create_agency(
    config: Config,
    name: &str,
    email: &str,
    password: &str,
    commune: &str,
) -> Result<(), String> {
    let state = itinerance::bootstrap(config).map_err(|e| e.to_string())?;
    let mut conn = state.pool.get().map_err(|e| e.to_string())?;
    match service::create_agency_with_admin(
        &mut conn,
        name,
        email,
        password,
        commune,
        state.clock.naive(),
    ) {
        Ok(AgencySetup::Created { organization, user }) => {
            println!(
                "created agency {:?} (id {}) with administrator {} (id {})",
                organization.name, organization.id, user.email, user.id
            );
            Ok(())
        }
        Ok(AgencySetup::AlreadyThere { user }) => {
            println!(
                "a user with e-mail {} already exists (id {}); nothing changed",
                user.email, user.id
            );
            Ok(())
        }
        Err(itinerance::error::Error::Validation(fields)) => Err(fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; ")),
        Err(e) => Err(e.to_string()),
    }
}

fn demo_data(config: Config, if_empty: bool) -> Result<(), String> {
    let state = itinerance::bootstrap(config).map_err(|e| e.to_string())?;
    let mut conn = state.pool.get().map_err(|e| e.to_string())?;
    if if_empty && !itinerance::demo::database_is_empty(&mut conn).map_err(|e| e.to_string())? {
        println!("the database already has organisations; demo data not loaded");
        return Ok(());
    }
    let summary =
        itinerance::demo::load(&mut conn, state.clock.naive()).map_err(|e| e.to_string())?;
    println!(
        "demo network: added {} organisations, {} users, {} resources, {} copies, {} components, \
         {} vans, {} venues' opening hours",
        summary.organizations,
        summary.users,
        summary.resources,
        summary.copies,
        summary.components,
        summary.vans,
        summary.timetables
    );
    let billing = itinerance::billing::LoanBilling::from_config(&state.config);
    let money = itinerance::demo::billing::load(&mut conn, &billing, state.clock.naive())
        .map_err(|e| e.to_string())?;
    println!(
        "demo money: {} tariffs, {} subsidy programmes, {} invoiced loans over the past three years",
        money.tariffs, money.programs, money.invoices
    );
    let upcoming =
        itinerance::demo::upcoming::load(&mut conn, &state.booking_settings(), state.clock.naive())
            .map_err(|e| e.to_string())?;
    println!("demo loans ahead: {upcoming} approved for the Amiens producer's days of tours");
    println!(
        "demo logins (password for all: {}):",
        itinerance::demo::DEMO_PASSWORD
    );
    for (email, _) in &summary.logins {
        println!("  {email}");
    }
    Ok(())
}
